"""The runtime backend for the sequential and thread strategies: one in-process counter, named
threading locks, and their lock events (ownlocks.py, OwnLockEvents.acquire_named)."""
import os
import threading

from parallel_profiler import _LocalBackend

from .errors import TaskKilled, WorkerExit
from .ownlocks import OwnLockEvents, plain_acquire

_real_exit = os._exit


class TaskContext:
    """What the current worker thread is running; `killed` once the harness ended its task."""

    __slots__ = ("lane", "task", "tally", "killed", "announced", "own_held")

    def __init__(self, lane, task):
        self.lane = lane
        self.task = task
        self.tally = 0
        self.killed = False
        #: Whether the harness has sent the task's `task-start` (threadpool.py).
        self.announced = False
        #: The user's own locks it holds (ownlocks.py).
        self.own_held = []


class ThreadBackend(_LocalBackend):
    """Counter and locks shared by the threads of one run: the runtime's in-process fallback,
    plus each worker's tally and the lock events."""

    POLL_S = 0.05

    def __init__(self, emitter, run):
        super().__init__()
        self.emitter = emitter
        self.run = run
        self.local = threading.local()
        self.own_events = OwnLockEvents(self._own_event, emitter.now,
                                        lambda: emitter.emit({"type": "busy", "run": run}))

    def context(self):
        return getattr(self.local, "ctx", None)

    def _tally(self, n):
        ctx = getattr(self.local, "ctx", None)
        if ctx is not None:
            ctx.tally += n

    def add(self, n):
        super().add(n)
        self._tally(n)

    def unsafe_add(self, n):
        super().unsafe_add(n)
        self._tally(n)

    def acquire(self, name, site):
        """Waits in short slices so a deadlocked task can be ended (threads cannot be killed)."""
        lk = self._lock_for(name)
        ctx = self.context()
        if ctx is None:
            lk.acquire()
            return
        self.own_events.acquire_named(ctx, lk, name, site, self._wait_own)

    def release(self, name, site):
        lk = self._lock_for(name)
        ctx = self.context()
        if ctx is None:
            lk.release()
        else:
            self.own_events.release(ctx, lk, name, site)

    def acquire_own(self, lock, name, site, blocking, timeout):
        """The user's own lock (ownlocks.py): its events where they matter, and a wait in short
        slices that gives up when the harness ends the task, as for a named lock."""
        ctx = self.context()
        if ctx is None:
            return plain_acquire(lock, blocking, timeout)
        return self.own_events.acquire(ctx, lock, name, site, blocking, timeout, self._wait_own)

    def _wait_own(self, lock):
        ctx = self.context()
        while not lock.acquire(True, self.POLL_S):
            if ctx.killed:
                raise TaskKilled()
        if ctx.killed:
            lock.release()
            raise TaskKilled()

    def release_own(self, lock, name, site):
        ctx = self.context()
        if ctx is None:
            lock.release()
        else:
            self.own_events.release(ctx, lock, name, site)

    def _own_event(self, ctx, name, kind, site, at_ms):
        if not ctx.killed:
            self.emitter.emit({"type": "lock", "run": self.run, "lane": ctx.lane, "task": ctx.task,
                               "lock": name, "kind": kind, "atMs": at_ms,
                               "site": {"file": site[0], "line": site[1]}})


def guarded_exit(code=0):
    """Replaces os._exit in the harness: a task in a worker thread must not end the whole run."""
    from parallel_profiler import _backend
    if isinstance(_backend, ThreadBackend) and _backend.context() is not None:
        raise WorkerExit(code)
    _real_exit(code)
