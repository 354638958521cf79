# Comparing allocators: the size-class arithmetic of the two pymalloc profiles
# for a few request sizes. cpython311 (what 64-bit CPython 3.11 uses) rounds
# to 16 bytes, classic (CPython <= 3.7's description) to 8; a request above
# 512 bytes goes to malloc under both. `npx pymem compare` replays whole
# programs under each, beside glibc, jemalloc, tcmalloc and mimalloc.
for n in (1, 8, 17, 24, 33, 100, 512, 513):
    row = [f'{n:4} bytes:']
    for name, alignment in (('cpython311', 16), ('classic', 8)):
        if n > 512:
            row.append(f'{name} malloc')
        else:
            index = (n - 1) // alignment
            row.append(f'{name} class {index:2} ({(index + 1) * alignment:3}-byte blocks)')
    print(*row)
