# `del` drops a reference; when the count reaches zero the object is
# deallocated at once (no collector involved) and its block goes back to its
# pool's free list: the next object of that size class gets the same block.
# A float goes to the float free list instead, and the next float reuses it.
s = ''.join(['a'] * 40)
where = id(s)
del s
t = ''.join(['b'] * 40)
print('the next 40-character str reuses the block:', id(t) == where)
f = float('2.5')
where = id(f)
del f
g = float('3.5')
print('the next float reuses the parked float:', id(g) == where)
