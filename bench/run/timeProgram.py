# Times one program under this python3, in-process as `pymem run` is timed:
# `python3 timeProgram.py FILE ROUNDS` runs FILE ROUNDS times with runpy
# (as __main__, its stdout discarded) and prints the seconds of each run as
# one JSON line: CPU seconds (time.process_time), as the machine is shared.
import contextlib, io, json, runpy, sys, time

path, rounds = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(rounds):
    sink = io.StringIO()
    start = time.process_time()
    with contextlib.redirect_stdout(sink):
        runpy.run_path(path, run_name="__main__")
    times.append(time.process_time() - start)
print(json.dumps(times))
