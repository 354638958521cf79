# Small objects and caches: ints from -5 to 256 exist once; equal constants
# of one script share one object; ints made at run time are new objects.
import sys

print(sys.getsizeof(10), sys.getsizeof(2 ** 30), sys.getsizeof(2 ** 60))
print(sys.getsizeof("Hello"), sys.getsizeof(""), sys.getsizeof(1.5))
a = 100
b = 100
print(a is b)                  # the small-int cache
x = 1000
y = 1000
print(x is y)                  # one constant of this script
x = int("1000")
y = int("1000")
print(x is y, x == y)          # two objects made at run time
