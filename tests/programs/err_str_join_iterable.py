print(",".join(range(0)), ",".join(["x"]), "-".join("abc"), "".join(("a", "b")))
print(",".join(5))
