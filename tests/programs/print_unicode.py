print("héllo", "✓", "😀", "日本語")
print("mixed: a✓b", sep="")
