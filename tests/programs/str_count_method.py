print("banana".count("a"), "banana".count("an"), "aaa".count("aa"))
