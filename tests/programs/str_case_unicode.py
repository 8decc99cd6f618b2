# upper() and lower() follow Unicode as CPython does: every script with case,
# characters outside the BMP, and the mappings that change the length.
words = ["café", "Ærøskøbing", "straße", "ﬁnal ﬂow", "İstanbul", "ǅemal ǈ ǋ",
         "Ελληνικά", "ΐΰ", "Москва", "Ջերմուկ", "ᏣᎳᎩ", "\U00010428\U00010429", "ὒᾳ"]
for w in words:
    u = w.upper()
    l = w.lower()
    print(w, u, l, len(w), len(u), len(l))
print("ŉ".upper(), "ǰ".upper(), "ﬀ".upper(), "ﬗ".upper(), len("ﬃ".upper()))
print("ÿ".upper(), "ı".upper(), "ſ".upper(), "K".lower(), "Ω".lower(), "ẞ".lower())
print("İ".lower() == "i\u0307", len("İİ".lower()), "ς".upper(), "µ".upper())
print("中文 ABC".lower(), "ＡＢＣ".lower(), "ⓐⓑ".upper(), "ⅰⅱ".upper())
print("1.5e-3".upper(), "".upper() == "", "ASCII only".upper(), "ASCII ONLY".lower())
