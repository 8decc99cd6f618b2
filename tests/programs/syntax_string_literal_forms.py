print('single', "double", '''triple single''', """triple double""")
print("adjacent " "literals " 'joined')
print(r"raw \n stays", "\x41\u00e9\t|")
print("unicode: héllo ✓ 😀")
