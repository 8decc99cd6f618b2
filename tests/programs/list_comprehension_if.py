print([x for x in range(20) if x % 3 == 0])
print([x for x in range(10) if x > 3 if x < 7])
