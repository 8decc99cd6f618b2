from parallel import coreid, numcores
print(coreid(), numcores())
