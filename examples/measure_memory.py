# Measuring memory before and after: what 100,000 floats in a list cost, in
# pymalloc blocks (sys.getallocatedblocks) and in the list's own size. Each
# float is one block; the list's item array (800,000 bytes and more) comes
# from malloc and is no block. After `del` the blocks are back.
import sys

before = sys.getallocatedblocks()
floats = [i + 0.5 for i in range(100_000)]
print('blocks added (to the nearest thousand):', round(sys.getallocatedblocks() - before, -3))
print('sys.getsizeof(floats):', sys.getsizeof(floats))
del floats
print('after del, back to where it started:', abs(sys.getallocatedblocks() - before) < 200)
