print("abc" < "abd", "abc" < "ab", "B" < "a", "" < "a")
print("apple" == "apple", "apple" != "Apple")
print("z" > "aaa", "abc" >= "abc", "10" < "9")
