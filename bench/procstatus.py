"""Process memory figures for the CPython side of the benchmarks (Linux /proc)."""


def status_bytes(field):
    """A figure of /proc/self/status in bytes, or None without /proc."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def reset_peak():
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False
