def main():
    return helper(3)
def helper(n):
    return n * 11
print(main())
