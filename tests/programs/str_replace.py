print("hello world".replace("o", "0"))
print("aaa".replace("a", "bb"), "abc".replace("x", "y"))
print("a-b-c".replace("-", ""))
