xs = [1]
xs.pop()
xs.pop()
