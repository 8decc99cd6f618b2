print(pow(2, 8), pow(2, -2), pow(2.0, 0.5), pow(-3, 3))
