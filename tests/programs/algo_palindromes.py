def is_pal(s):
    return s == s[::-1]
print([w for w in ["level", "abc", "noon", "a", ""] if is_pal(w)])
