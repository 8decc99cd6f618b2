xs = [5, 2, 9, 1]
print(sorted(xs), xs)
print(sorted("banana"), sorted([3.5, -1, 2]))
print(sorted([[2, 1], [1, 5], [1, 2]]), sorted(()))
