# A little integer work on each core: the longest Collatz chain starting
# below 200 + coreid(), using only the language slice the cores run today.
import parallel

start = 1
best = 0
best_start = 0
limit = 200 + parallel.coreid()
while start < limit:
    n = start
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    if steps > best:
        best = steps
        best_start = start
    start += 1
print("below", limit, "the longest chain starts at", best_start, "with", best, "steps")
