n = 0
def bump(k):
    global n
    n = n + k
for i in range(10):
    bump(i)
print(n)
