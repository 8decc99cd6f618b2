print("a" < "b", "abc" == "abc", "abc" < "abcd", "Z" < "a")
print(max("apple", "pear"), min("b", "a", "c"))
