# dict and list work: inserts, lookups, appends, indexing, sorting, comprehensions.
d = {}
for i in range(30_000):
    d[i] = i * 2
hits = 0
for i in range(0, 60_000, 2):
    if i in d:
        hits += d[i]
words = {}
for w in ("alpha beta gamma delta " * 5_000).split():
    words[w] = words.get(w, 0) + 1
lst = []
for i in range(30_000):
    lst.append((i * 7919) % 10007)
lst.sort()
squares = [x * x for x in lst[:10_000] if x % 3]
print(hits, sorted(words.items()), lst[0], lst[-1], len(squares))
