# Device-resident data: define once, let kernels read and mutate it on the
# cores, copy it back when needed (the tutorial after offload, in Python 3).
from epython import copy_from_device, copy_to_device, define_on_device, offload

a = [0] * 10
define_on_device(a)


@offload
def updateA(i):
    from parallel import coreid
    a[i] = i * coreid()


for i in range(10):
    updateA(i)
print(copy_from_device("a")[3])          # core 3's list: [0, 3, 6, ..., 27]

define_on_device("s", 23)


@offload
def lower():
    global s                             # rebinding needs global, as in Python
    s = s - 4


lower()
print(copy_from_device("s"))             # 19 on every core
copy_to_device("s", 99, target=[1, 5, 9])
print(copy_from_device("s"))             # 99 on cores 1, 5 and 9, 19 elsewhere
h = copy_from_device("s", target=[5], async_=True)
print(h.wait())                          # [99]
