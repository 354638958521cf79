# __slots__ against __dict__: an instance with slots has no dict at all and
# a fixed, smaller layout.
import sys

class WithDict:
    def __init__(self, x, y):
        self.x = x
        self.y = y

class WithSlots:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y

d = WithDict(1, 2)
s = WithSlots(1, 2)
print(sys.getsizeof(d), sys.getsizeof(s))
print(hasattr(d, "__dict__"), hasattr(s, "__dict__"))
print(sys.getsizeof(d.__dict__))
try:
    s.z = 3
except AttributeError as e:
    print("AttributeError:", e)
