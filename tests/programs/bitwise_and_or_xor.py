print(12 & 10, 12 | 10, 12 ^ 10)
print(-1 & 255, -1 | 0, -1 ^ -1)
print(0x0F0F & 0x00FF, 0xF000 | 0x000F)
