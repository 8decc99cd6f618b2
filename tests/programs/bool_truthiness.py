i = 0
for v in [0, 1, -1, 0.0, 0.5, "", "0", [], [0], (), None, True, False]:
    if v:
        print(i, "true")
    else:
        print(i, "false")
    i += 1
