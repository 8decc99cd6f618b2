r = range(3)
print(r[1])
print(r["1"])
