# Integer loops: for over range, while with a counter, arithmetic and comparisons.
total = 0
for i in range(200_000):
    total += i * 3 % 7
n = 0
k = 0
while n < 100_000:
    if n & 1:
        k -= n
    else:
        k += n // 2
    n += 1
print(total, k)
