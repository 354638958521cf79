# A list over-allocates as it grows (list_resize), so appends are amortised
# O(1): its size jumps only now and then.
import sys

lst = []
sizes = [sys.getsizeof(lst)]
for i in range(40):
    lst.append(i)
    sizes.append(sys.getsizeof(lst))
print(sizes)
print([0] * 10 == [0 for _ in range(10)], sys.getsizeof([0] * 10), sys.getsizeof([0 for _ in range(10)]))
