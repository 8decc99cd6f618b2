nan = 1e38 * 10 - 1e38 * 10
print(nan, nan == nan, nan != nan, nan < 0, nan > 0, nan <= nan)
print(nan == 1, 1 < nan, not nan)
