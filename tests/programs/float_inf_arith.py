inf = 1e38 * 10
print(inf, -inf, inf * 0, inf / inf)
print(inf + inf, inf - 1e38, 1 / inf, -1 / inf)
print(inf > 3.4e38, inf == inf, inf // 1 if False else 0)
