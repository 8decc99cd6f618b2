print(", ".join([None, "a"]))
