print(int(7), int(-7.99), int(True), int("42"), int(" -13 "), int())
print(int(2.5e9 / 10), int("007"))
