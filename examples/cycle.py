# A reference cycle: each node keeps the other alive, so reference counting
# alone never frees them; the cyclic garbage collector finds and frees both.
import gc
import sys

class Node:
    def __init__(self, name):
        self.name = name
        self.other = None

gc.collect()
a = Node("a")
b = Node("b")
a.other = b
b.other = a
print(sys.getrefcount(a), sys.getrefcount(b))
del a, b
print("unreachable objects found:", gc.collect())
print("thresholds:", gc.get_threshold())
