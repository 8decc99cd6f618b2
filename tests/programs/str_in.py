print("ell" in "hello", "z" in "hello", "" in "abc")
print("lo" not in "hello")
