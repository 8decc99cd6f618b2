# Under QEMU and on the simulator alike (firmware-image/qemu-test.sh): print
# and str() of nested and self-containing lists (the walk keeps its stack in
# VM memory, not on the 1.75 KB Rust stack; a list's repr formats its floats
# at the end of a deep call chain), and the Unicode tables of the str
# methods (read from the DRAM code region).
a = [1, (2.5, "x")]
a.append(a)
print(a, str(a))
x = []
for i in range(300):
    x = [x, (i * 0.5,)]
s = str(x)
print(len(s), s[:12], s[-14:])
print(x[0][0][0][1], x[1], len(x))
print("straße ΟΔΟΣ İ ﬁ".upper(), "ΟΔΟΣ Ǆ İ".lower(), "中é".isalpha(), "²٣".isdigit(), "\u3000\x1c".isspace())
