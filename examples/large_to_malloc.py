# Requests of more than 512 bytes skip pymalloc and go to the C library's
# malloc, as in CPython. An ASCII str takes 49 bytes plus one per character:
# 463 characters still fit a 512-byte block, 464 do not.
import sys

for n in (463, 464, 100_000):
    size = sys.getsizeof('x' * n)
    print(f'str of {n} characters: {size} bytes ->', 'pymalloc' if size <= 512 else 'malloc')
