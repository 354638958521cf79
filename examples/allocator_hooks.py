# Allocator hooks (PyMem_SetAllocator): tracemalloc is built on them, so it
# sees every block a line of Python asks for, and its size. Here one dict
# comprehension: its keys table (208), eight str keys (53), eight int values
# (32: a product is allocated with two digits before it is normalized to
# one), eight one-item lists' item arrays (8); the dict and the list objects
# themselves come from the free lists the warm-up filled.
import tracemalloc

# Warm-up: floats and lists come from free lists once some were freed.
scratch = [[float(i) for i in range(100)] for _ in range(10)]
del scratch

tracemalloc.start()
d = {str(i * 1000): [i * 1000] for i in range(1, 9)}
snapshot = tracemalloc.take_snapshot()
tracemalloc.stop()
mine = snapshot.filter_traces([tracemalloc.Filter(True, __file__)])
sizes = {}
for trace in mine.traces:
    sizes[trace.size] = sizes.get(trace.size, 0) + 1
for size in sorted(sizes):
    print(f"{sizes[size]} x {size} bytes")
print(len(mine.traces), "blocks,", sum(t.size for t in mine.traces), "bytes, all on line", mine.traces[0].traceback[0].lineno)
