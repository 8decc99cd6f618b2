# Under QEMU and on the simulator alike (firmware-image/qemu-test.sh): the
# thumbv7em FPU and the soft paths must print the same digits.
a = 7
b = -3
print(a + b, a - b, a * b, a // b, a % b, -a // 2)
x = 1.5
y = 0.1
print(x * y, x / 3, x - y, 2.0 ** 10, 7 % 2.5, -7.5 // 2)
print(1e-05, 123456789.0, 1.0 / 3.0, 3 == 3.0, a > b, not a)
i = 0
total = 0
while i < 1000:
    total = total + i * i % 7
    i += 1
print("total", total, "done", True, None)
