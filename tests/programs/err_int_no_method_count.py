n = 5
n.count(1)
