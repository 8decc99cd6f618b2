def bsearch(xs, t):
    lo = 0
    hi = len(xs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if xs[mid] == t:
            return mid
        if xs[mid] < t:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
xs = [i * 3 for i in range(50)]
print(bsearch(xs, 27), bsearch(xs, 28), bsearch(xs, 0), bsearch(xs, 147))
