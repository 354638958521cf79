# Python function calls: recursion, positional and keyword arguments, defaults, closures.
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def add(a, b, c=1):
    return a + b + c

def make_counter():
    count = 0
    def step(by):
        nonlocal count
        count += by
        return count
    return step

step = make_counter()
s = 0
for i in range(30_000):
    s = add(s, i, c=2)
    step(1)
print(fib(20), s, step(0))
