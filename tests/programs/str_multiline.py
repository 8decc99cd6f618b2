s = """two
lines"""
print(s)
print(len(s))
