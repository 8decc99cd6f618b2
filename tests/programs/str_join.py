print(",".join(["a", "b", "c"]))
print("".join(["x", "y"]), "-".join([]))
print(" ".join([str(i) for i in range(4)]))
