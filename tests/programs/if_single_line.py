x = 4
if x > 3: print("big")
if x > 10: print("huge")
else: print("not huge")
