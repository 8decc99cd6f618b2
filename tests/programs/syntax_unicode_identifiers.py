größe = 3
π = 3.14159
print(größe * 2, π)
