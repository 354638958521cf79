# Cyclic garbage: 200,000 two-node cycles, a few kept; the collector's counts and pauses.
import gc, time
pauses = []
gens = [0, 0, 0]
start = [0.0]
def cb(phase, info):
    if phase == "start":
        start[0] = time.perf_counter()
    else:
        pauses.append(time.perf_counter() - start[0])
        gens[info["generation"]] += 1
gc.callbacks.append(cb)
class Node:
    def __init__(self):
        self.other = None
kept = []
t0 = time.perf_counter()
for i in range(200000):
    a = Node(); b = Node()
    a.other = b; b.other = a
    if i % 1000 == 0:
        kept.append(a)
total = time.perf_counter() - t0
gc.callbacks.remove(cb)
print(gc.get_threshold(), gens, len(pauses), f"{sum(pauses) * 1000:.0f} ms in gc, longest {max(pauses) * 1000:.1f} ms, run {total * 1000:.0f} ms")
