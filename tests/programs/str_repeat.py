print("ab" * 3, 3 * "-", "x" * 0, "y" * -1)
print("=" * 20)
