print("a b  c".split())
print("  leading and trailing  ".split())
print("".split())
