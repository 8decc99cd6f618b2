print([1].index(2.5))
