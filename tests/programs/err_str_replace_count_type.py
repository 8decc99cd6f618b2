print("aaa".replace("a", "b", 1))
print("aaa".replace("a", "b", 1.5))
