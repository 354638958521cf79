# One long-lived float keeps an arena of otherwise freed floats mapped:
# 100,000 floats fill a few arenas, one of them is kept, the list goes.
floats = [i + 0.5 for i in range(100000)]
keep = floats[50000]
del floats
print(keep)
