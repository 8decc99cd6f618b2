print("aaaa".replace("a", "b", 2), "abab".replace("ab", "", 1))
