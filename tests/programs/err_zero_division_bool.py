print(True // False)
