print("a" == "a", "a" != "b", "abc" < "abd", "b" > "abc")
print("" == "", "A" < "a", "a" < "aa", "Z" >= "Z")
print("x" == 1, "1" == 1, "" != None)
