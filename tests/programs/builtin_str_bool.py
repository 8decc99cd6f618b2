print(str(), bool(), str(0), bool(0), bool("False"))
