# expect: TypeError
# Methods from DRAM code under collection pressure: str methods with start,
# end and counts, sort(reverse=), slice assignment, a missing argument.
def work(n):
    s = "ab, cd ,ef" * 3
    out = []
    nums = []
    for i in range(n):
        parts = s.replace(" ", "", i % 4).split(",", i % 5)
        parts.sort(reverse=True)
        out[i % 3:] = parts[:2]
        nums.append(s.find("cd", i % 7, -1) + s.rfind("a") + s.count("b", 2))
        nums[::-1] = sorted(nums, reverse=i % 2)
    return " ".join(out) + " " + str(sum(nums)) + " " + str(nums[0])
print(work(60))
def f(a, b, c):
    return a
print(f(1, 2, 3))
f(1)
