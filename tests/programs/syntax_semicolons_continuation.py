a = 1; b = 2; c = a + b
print(a, b, c)
total = a + \
        b + \
        c
print(total)
value = (a +
         b *
         c)
print(value)
