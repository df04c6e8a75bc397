"""Caps the memory a task may take, as the JS runner does (memoryWatch.ts, threadMemoryWatch.ts): a
task that fills memory ends with a `crash` warning saying how much it used, instead of the machine's
out-of-memory killer ending the harness (or the editor). Where Linux tells (/proc): a worker process
whose memory grew by more than its share since it became ready (a forked one starts with its
parent's pages) is killed; in a thread pool, once the harness is over its threads' shares, the busy
thread that touched the most new pages since the last look is stopped."""
import math
import os

CHECK_S = 0.1
# Below this many new pages since the last look (4 MB), a thread is not what is filling memory.
MIN_FAULTS = 1024

CAN_WATCH = os.path.exists("/proc/self/statm")
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2 ** 20 if CAN_WATCH else 0


def share_mb(workers):
    """Each worker's share of the machine's memory, as for JS workers (heapLimit.ts): at most 2 GB,
    or PARALLEL_PROFILER_HEAP_MB."""
    try:
        chosen = int(os.environ.get("PARALLEL_PROFILER_HEAP_MB", ""))
    except ValueError:
        chosen = 0
    if chosen > 0:
        return chosen
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 20
    return int(max(256, min(2048, total_mb // (2 * (workers + 1)))))


def resident_mb(pid="self"):
    """A process's resident memory in MB; None once it is gone (or where /proc is missing)."""
    try:
        with open("/proc/%s/statm" % pid, "rb") as f:
            return int(f.read().split()[1]) * _PAGE_MB
    except (OSError, IndexError, ValueError):
        return None


def minor_faults(native_id):
    """Pages a thread of this process has touched for the first time so far; None if it is gone."""
    try:
        with open("/proc/self/task/%d/stat" % native_id, "rb") as f:
            text = f.read()
        return int(text[text.rindex(b")") + 2:].split()[7])
    except (OSError, IndexError, ValueError):
        return None


class ThreadWatch:
    """The thread pool's watch: `culprit(busy)` names the thread to stop, if the harness is over."""

    def __init__(self, threads):
        self.share = share_mb(threads)
        base = resident_mb() or 0
        self.cap_mb = int(base + threads * self.share)
        self.seen = {}

    def culprit(self, busy):
        """Of `busy` [(key, native thread id)], the key of the thread filling memory, with the
        harness's memory now; (None, used) while under the cap or no thread is growing."""
        used = resident_mb()
        grown = []
        for key, native_id in busy:
            faults = minor_faults(native_id) if native_id is not None else None
            if faults is None:
                continue
            grown.append((faults - self.seen.get(native_id, faults), key))
            self.seen[native_id] = faults
        if used is None or used <= self.cap_mb:
            return None, used
        grown = [g for g in grown if g[0] >= MIN_FAULTS]
        return (max(grown, key=lambda g: g[0])[1] if grown else None), used

    def message(self, index, used_mb):
        return ("input #%d: the worker thread was stopped while running it: the harness reached %d MB "
                "of memory, over the %d MB its threads may use (PARALLEL_PROFILER_HEAP_MB sets each "
                "thread's share)" % (index, math.ceil(used_mb), self.cap_mb))


def process_message(index, pid, grew_mb, share):
    """Why a worker process was stopped; `index` None between tasks."""
    how = ("its memory grew by %d MB, over the %d MB each worker process may take "
           "(PARALLEL_PROFILER_HEAP_MB sets the share)" % (math.ceil(grew_mb), share))
    if index is None:
        return "a worker process (pid %d) was stopped between tasks: %s" % (pid, how)
    return "input #%d: the worker process (pid %d) was stopped while running it: %s" % (index, pid, how)
