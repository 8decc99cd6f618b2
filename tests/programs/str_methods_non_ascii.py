print("é".isalpha(), "üx".isalpha(), "ab1".isalpha())
print("é".upper(), "ÉCOLE".lower(), "Ünï".upper())
