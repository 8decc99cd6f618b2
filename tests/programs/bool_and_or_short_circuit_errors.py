x = 0
print(x and 1 / x)
print(x == 0 or 1 / x)
print(1 or undefined_name)
print(0 and undefined_name)
print("ok")
