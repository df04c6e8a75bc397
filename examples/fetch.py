"""I/O-bound: each call waits on a (simulated) slow service. Threads overlap the waits; CPU time
stays near zero, so there is no GIL verdict. Try:

    npx parallel-profiler profile examples/fetch.py fetch --inputs "range(12)" --workers 6
"""
import time


def fetch(page):
    """Pretend to download page `page`: 150 ms of waiting, a little work."""
    time.sleep(0.15)
    return {"page": page, "items": [page * 10 + i for i in range(3)]}
