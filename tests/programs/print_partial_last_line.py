print("first")
print("unterminated", end="")
