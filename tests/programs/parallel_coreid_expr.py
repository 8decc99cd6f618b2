from parallel import coreid, numcores
me = coreid()
n = numcores()
if me == 0:
    print("core zero of", n)
print(me * 10 + n, me < n)
