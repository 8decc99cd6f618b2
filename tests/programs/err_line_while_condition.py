x = 3
while x > undefined_limit:
    x -= 1
