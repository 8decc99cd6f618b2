s = "filename.py"
print(s.startswith("file"), s.startswith("name"), s.endswith(".py"), s.endswith(".rs"))
print("".startswith(""), "abc".endswith(""))
