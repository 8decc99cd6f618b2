xs = [i for i in range(2000)]
print(len(xs), xs[1999], sum(xs))
