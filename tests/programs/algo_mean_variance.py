xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
mean = sum(xs) / len(xs)
var = sum([(x - mean) ** 2 for x in xs]) / len(xs)
print(mean, var)
