# lower() turns a capital sigma into the final form ς at the end of a word
# (a cased letter before it, none after, skipping case-ignorable characters
# such as apostrophes and accents), as CPython does.
for w in ["ΟΔΟΣ", "ΟΔΟΣ ΟΔΟΣ", "Σ", "ΑΣ.", "ΑΣΑ", "ΑΣ'Α", "ΑΣ'", "Α'Σ", "Σ'Α",
          "ΑΣ\u0301", "ΑΣ\u0301Β", "1Σ", "ΑΣ1", "ΑΣΣ", "ΑΣ-Β", "aΣ", "ΣΑΣ ΣΑΣ!"]:
    print(w.lower(), len(w.lower()))
