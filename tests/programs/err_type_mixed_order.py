print(1.5 < 2, "b" > "a")
print(1.5 < "a")
