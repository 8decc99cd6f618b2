xs = []
i = 0
while i < 5000:
    xs.append(i)
    i += 1
print(len(xs), xs[0], xs[4999])
