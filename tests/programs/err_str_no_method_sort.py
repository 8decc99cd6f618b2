"abc".sort(reverse=True)
