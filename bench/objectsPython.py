"""CPython's side of bench/objects.ts.

    python3 bench/objectsPython.py <workload> <n> <rounds> [warmup]

Runs one object workload: `warmup` untimed rounds of n // 10 operations
(default 1), then `rounds` timed rounds of n, and prints one JSON line shaped as objectsChild.ts's:
ns per operation of each timed round (time.perf_counter_ns around the call of
the loop's function only), VmRSS before the first round and the peak (VmHWM,
reset before the first round through /proc/self/clear_refs; where /proc is
missing, ru_maxrss, the peak since start), and the collections of each GC
generation per timed round.

Each workload is the Python whose bytecodes make the C-API calls of pymem's
C-API level (objects.ts lists both). The loops iterate over
itertools.repeat(None, n), which allocates nothing per step, so the only
objects made are the workload's own; `empty` times that loop alone. The
cyclic GC stays enabled, as in any program; `listOfListsNoGc` is
`listOfLists` with gc.disable(), to show what the collections cost.
"""
import gc
import json
import resource
import sys
import time
from itertools import repeat
from procstatus import reset_peak, status_bytes


class P:
    pass


class S:
    __slots__ = ('a', 'b')


def w_empty(n):
    for _ in repeat(None, n):
        pass


def w_int(n):
    a = 1000
    for _ in repeat(None, n):
        x = a + 1


def w_float(n):
    f = 0.5
    for _ in repeat(None, n):
        x = f + 1.0


def w_tuple(n):
    a, b = 1000, 1001
    for _ in repeat(None, n):
        x = (a, b)


def w_list(n):
    a = 1000
    for _ in repeat(None, n):
        x = [a]


def w_dict(n):
    a = 1000
    for _ in repeat(None, n):
        x = {'key': a}


def w_instance(n):
    for _ in repeat(None, n):
        x = P()


def w_slots(n):
    for _ in repeat(None, n):
        x = S()


def w_listOfLists(n):
    a = 1000
    xs = [[a] for _ in repeat(None, n)]
    del xs


def w_listOfListsNoGc(n):
    gc.disable()
    try:
        w_listOfLists(n)
    finally:
        gc.enable()


def main(workload, n, rounds, warmup):
    run = globals().get('w_' + workload)
    if run is None:
        sys.exit(f'objectsPython: unknown workload {workload!r}')
    rss_start = status_bytes('VmRSS') or 0
    peak_reset = reset_peak()
    samples = []
    before = []
    for r in range(warmup + rounds):
        ops = max(1, n // 10) if r < warmup else n
        if r == warmup:
            before = [g['collections'] for g in gc.get_stats()]
        t0 = time.perf_counter_ns()
        run(ops)
        ns = time.perf_counter_ns() - t0
        if r >= warmup:
            samples.append(ns / ops)
    peak = status_bytes('VmHWM')
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        peak_reset = False
    return {
        'level': 'cpython', 'workload': workload, 'n': n, 'warmup': warmup, 'samples': samples,
        'rssStart': rss_start, 'peakRss': peak, 'peakReset': peak_reset,
        'collections': [(g['collections'] - b) / rounds for g, b in zip(gc.get_stats(), before)],
        'version': sys.version.split()[0],
    }


if __name__ == '__main__':
    args = sys.argv[1:]
    print(json.dumps(main(args[0], int(args[1]), int(args[2]), int(args[3]) if len(args) > 3 else 1)))
