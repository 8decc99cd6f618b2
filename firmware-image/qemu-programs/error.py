# A Python exception on the core: the output before it, then an Error event
# (firmware-image/qemu-test.sh checks both runs raise).
print("before")
x = 1 // 0
print("after")
