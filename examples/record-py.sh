#!/bin/sh
# Records what CPython 3.11 prints for each Python example (examples/NAME.out),
# which test/75-examples-py.test.ts compares pymem run's output with.
cd "$(dirname "$0")" && for f in *.py; do python3 "$f" > "${f%.py}.out"; done
