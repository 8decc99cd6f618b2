words = "the quick brown fox".split()
words.reverse()
print(" ".join(words))
print(" ".join([w[::-1] for w in words]))
