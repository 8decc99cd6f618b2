# isalpha, isdigit and isspace follow Unicode as CPython does.
for s in ["é", "naïve", "中文", "ﾃｽﾄ", "مرحبا", "Ελλάδα", "e\u0301", "ª", "ǅ", "ß",
          "\U0001D400", "²", "٣٤", "①", "½", "Ⅻ", "a1", " ", "\x1c\x1d\x1e\x1f",
          "\x85\xa0", "\u2003\u3000", "\u200b", "\t\n\x0b\x0c\r", "٫", "𝟘𝟙"]:
    print(len(s), s.isalpha(), s.isdigit(), s.isspace())
