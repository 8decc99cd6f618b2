# a comment at the top

x = 1  # trailing comment


# another
if x:   # comment after colon
    # comment inside block

    print("x is", x)
