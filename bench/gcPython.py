"""CPython's side of bench/gc.ts.

    python3 bench/gcPython.py <case> <n> <rounds> [warmup]

Runs one case of the cyclic-collector benchmark and prints one JSON line
shaped as gcChild.ts's (gc.ts's GcReport):

    live   a list of n lists of one int, built with gc.disable(); one untimed
           gc.collect() moves it to the oldest generation, then each round
           times a full gc.collect() over it that frees nothing.
    rings  each round builds n // 10 rings of 10 lists (each list holds the
           next; the last holds the first) with gc.disable(), drops them,
           and times the gc.collect() that frees all n.
    churn  gc enabled: each round makes n // 2 two-list cycles
           (a = []; b = [a]; a.append(b)) and drops each at once, so the
           allocations themselves set off the collections. The round's time
           is the whole loop's; gc.callbacks time every collection
           (time.perf_counter_ns at "start" and "stop"), per generation.

`warmup` untimed rounds of n // 10 run first (live: its one untimed
collect()). Each collect() must find what the case made: 0 for live, n for
rings (gcChild.ts checks the same). Times are time.perf_counter_ns around
the collect() call (live, rings) or the loop's function call (churn).
`tracked` is len(gc.get_objects()) after a full collection at startup. The
peak RSS is VmHWM, reset after setup through /proc/self/clear_refs (where
/proc is missing: ru_maxrss, the peak since start).
"""
import gc
import json
import resource
import sys
import time
from itertools import repeat
from procstatus import reset_peak, status_bytes


def build_live(n):
    a = 1000
    return [[a] for _ in repeat(None, n)]


def build_rings(k):
    for _ in repeat(None, k):
        head = [None]
        x = head
        for _ in repeat(None, 9):
            x = [x]
        head[0] = x


def churn(k):
    for _ in repeat(None, k):
        a = []
        b = [a]
        a.append(b)


class CollectionClock:
    """A gc.callbacks entry: nanoseconds and count of the collections of each generation."""

    def __init__(self):
        self.ns = [0, 0, 0]
        self.count = [0, 0, 0]
        self.t0 = 0

    def __call__(self, phase, info):
        if phase == 'start':
            self.t0 = time.perf_counter_ns()
        else:
            g = info['generation']
            self.ns[g] += time.perf_counter_ns() - self.t0
            self.count[g] += 1

    def reset(self):
        self.ns = [0, 0, 0]
        self.count = [0, 0, 0]


def run_live(n, rounds, samples, found):
    gc.disable()
    xs = build_live(n)
    gc.collect()
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        m = gc.collect()
        samples.append(time.perf_counter_ns() - t0)
        if m != 0:
            sys.exit(f'gcPython live: collect() found {m} unreachable objects in a heap with none')
        found.append(m)
    del xs


def run_rings(n, rounds, warmup, samples, found):
    gc.disable()
    gc.collect()
    for r in range(warmup + rounds):
        k = (n if r >= warmup else max(10, n // 10)) // 10
        build_rings(k)
        t0 = time.perf_counter_ns()
        m = gc.collect()
        ns = time.perf_counter_ns() - t0
        if m != k * 10:
            sys.exit(f'gcPython rings: collect() found {m} unreachable objects, expected {k * 10}')
        if r >= warmup:
            samples.append(ns)
            found.append(m)


def run_churn(n, rounds, warmup, samples, clock):
    gc.enable()
    gc.collect()
    gc.callbacks.append(clock)
    per_round = []
    for r in range(warmup + rounds):
        k = (n if r >= warmup else max(2, n // 10)) // 2
        clock.reset()
        t0 = time.perf_counter_ns()
        churn(k)
        ns = time.perf_counter_ns() - t0
        if r >= warmup:
            samples.append(ns)
            per_round.append((list(clock.ns), list(clock.count)))
        gc.collect()
    gc.callbacks.remove(clock)
    return per_round


def main(case, n, rounds, warmup):
    if case not in ('live', 'rings', 'churn'):
        sys.exit(f'gcPython: unknown case {case!r}; expected live, rings or churn')
    if not (n >= 10 and rounds > 0 and warmup >= 0):
        sys.exit(f'gcPython: bad n/rounds/warmup {n}/{rounds}/{warmup}')
    gc.collect()
    tracked = len(gc.get_objects())
    rss_start = status_bytes('VmRSS') or 0
    peak_reset = reset_peak()
    samples = []
    found = []
    per_round = []
    if case == 'live':
        run_live(n, rounds, samples, found)
    elif case == 'rings':
        run_rings(n, rounds, warmup, samples, found)
    else:
        per_round = run_churn(n, rounds, warmup, samples, CollectionClock())
    peak = status_bytes('VmHWM')
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        peak_reset = False
    return {
        'level': 'cpython', 'case': case, 'n': n, 'warmup': warmup, 'samples': samples, 'found': found,
        'collectionNs': [ns for ns, _ in per_round], 'collections': [c for _, c in per_round],
        'tracked': tracked, 'rssStart': rss_start, 'peakRss': peak, 'peakReset': peak_reset,
        'version': sys.version.split()[0],
    }


if __name__ == '__main__':
    args = sys.argv[1:]
    print(json.dumps(main(args[0], int(args[1]), int(args[2]), int(args[3]) if len(args) > 3 else 1)))
