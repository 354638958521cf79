# Attribute access and method calls on instances of a class.
class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def dot(self, other):
        return self.x * other.x + self.y * other.y

    def scale(self, k):
        self.x *= k
        self.y *= k

a = Vec(1, 2)
b = Vec(3, 4)
acc = 0
for i in range(40_000):
    acc += a.dot(b)
    a.x = i % 10
    b.scale(1)
print(acc, a.x, b.y)
