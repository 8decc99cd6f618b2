import parallel
print(parallel.coreid() < parallel.numcores())
