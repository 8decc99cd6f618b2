print(abs(-2147483648))
