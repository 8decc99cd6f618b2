print(True & False, True | False, True ^ True)
print(True & 3, False | 4)
