# Allocation-heavy: short-lived lists, tuples, dicts, strings and instances, and cycles for the collector.
class Node:
    def __init__(self, value):
        self.value = value
        self.next = None

kept = 0
for i in range(20_000):
    t = (i, i + 1, i + 2)
    l = [i, t, str(i)]
    d = {"k": l, "n": i}
    kept += len(d["k"])
for i in range(5_000):
    a = Node(i)
    b = Node(i + 1)
    a.next = b
    b.next = a
import gc
print(kept, gc.collect() >= 0)
