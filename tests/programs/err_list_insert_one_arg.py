xs = []
xs.insert(0)
