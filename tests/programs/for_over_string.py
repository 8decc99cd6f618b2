for ch in "hello":
    print(ch, end="-")
print()
count = 0
for ch in "banana":
    if ch == "a":
        count += 1
print(count)
