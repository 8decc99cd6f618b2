a = 1
print("a is", a,
      "b is", b)
