# The small-int cache: the ints -5 to 256 exist once, made at start-up; every
# 100 in the program is that one object. Other ints are made as needed, so
# two 1000s made at run time are equal but not identical.
a = 100
b = 100
print(a is b)
x = int('1000')
y = int('1000')
print(x is y, x == y)
for n in (-6, -5, 256, 257):
    p = int(str(n))
    q = int(str(n))
    print(f'{n:4}:', 'cached (one object)' if p is q else 'two objects')
