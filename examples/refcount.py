# Reference counts: every name, container slot and argument that refers to an
# object holds one reference; sys.getrefcount counts its own argument too.
import sys

a = [1, 2, 3]
print(sys.getrefcount(a))      # a, and getrefcount's argument
b = a
print(sys.getrefcount(a))      # b refers to the same list
c = [a, a]
print(sys.getrefcount(a))      # two more, in the list c
del c
print(sys.getrefcount(a))
del a
print(sys.getrefcount(b))      # the list lives on through b
