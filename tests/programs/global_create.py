def setup():
    global created
    created = "yes"
setup()
print(created)
