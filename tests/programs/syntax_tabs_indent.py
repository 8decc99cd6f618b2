x = 3
if x > 2:
	print("tab indented")
	if x > 1:
		print("two tabs")
