"""Shared memory of one process-pool run: the counter (a multiprocessing.Value) and named locks.

Named locks are created lazily across processes: a fixed pool of multiprocessing locks, and a
shared table mapping names to slots (claimed under a table lock). The table also records which
pid holds each slot, so the harness can release the locks of a worker it had to kill.
"""
import ctypes

SLOTS = 32
NAME_BYTES = 64


class SharedState:
    """Created by the harness before the workers start; handed to each worker at start."""

    def __init__(self, ctx):
        self.counter = ctx.Value(ctypes.c_longlong, 0, lock=True)
        self.table_lock = ctx.Lock()
        self.names = ctx.RawArray(ctypes.c_char, SLOTS * NAME_BYTES)
        self.holders = ctx.RawArray(ctypes.c_int, SLOTS)
        self.locks = [ctx.Lock() for _ in range(SLOTS)]

    def slot_of(self, name, cache):
        """Slot index of lock `name`, claiming a free slot the first time any process asks."""
        found = cache.get(name)
        if found is not None:
            return found
        key = name.encode("utf-8")[: NAME_BYTES - 1]
        with self.table_lock:
            for i in range(SLOTS):
                stored = self.names[i * NAME_BYTES:(i + 1) * NAME_BYTES].rstrip(b"\0")
                if stored == key:
                    cache[name] = i
                    return i
                if not stored:
                    self.names[i * NAME_BYTES:i * NAME_BYTES + len(key)] = key
                    cache[name] = i
                    return i
        raise RuntimeError("more than %d distinct lock names in one run" % SLOTS)

    def release_held_by(self, pid):
        """Releases every lock slot a (killed) process held; returns the lock names released."""
        released = []
        for i in range(SLOTS):
            if self.holders[i] == pid:
                self.holders[i] = 0
                try:
                    self.locks[i].release()
                    released.append(self.names[i * NAME_BYTES:(i + 1) * NAME_BYTES].rstrip(b"\0").decode())
                except ValueError:
                    pass
        return released
