stack = [1, 2, 3]
while stack:
    print(stack.pop())
print(stack)
