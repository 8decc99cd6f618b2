z = -0.0
print(z, 0.0, -z)
print(z == 0.0)
print(0.0 * -1)
