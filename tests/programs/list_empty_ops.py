xs = []
print(xs, len(xs), xs == [], not xs)
xs.append(None)
print(xs, len(xs), not xs)
