# A list of ten million items: its 80 MB item array is too big for pymalloc
# (over 512 bytes) and comes from the C library's malloc.
import sys

big = [0] * 10**7
print(sys.getsizeof(big))
print(len(big), big[0], big[-1])
del big
print(sys.getsizeof([0] * 10))
