"""The runtime backend for the sequential and thread strategies: one in-process counter, named
threading locks, and a lock event for every request / acquire / release."""
import os
import threading

from .errors import TaskKilled, WorkerExit

_real_exit = os._exit


class TaskContext:
    """What the current worker thread is running; `killed` once the harness ended its task."""

    __slots__ = ("lane", "task", "tally", "killed")

    def __init__(self, lane, task):
        self.lane = lane
        self.task = task
        self.tally = 0
        self.killed = False


class ThreadBackend:
    """Counter and locks shared by the threads of one run."""

    POLL_S = 0.05

    def __init__(self, emitter, run):
        self.emitter = emitter
        self.run = run
        self.local = threading.local()
        self._value = 0
        self._guard = threading.Lock()
        self._locks = {}

    def context(self):
        return getattr(self.local, "ctx", None)

    def _tally(self, n):
        ctx = getattr(self.local, "ctx", None)
        if ctx is not None:
            ctx.tally += n

    def add(self, n):
        with self._guard:
            self._value += n
        self._tally(n)

    def unsafe_add(self, n):
        self._value += n
        self._tally(n)

    def value(self):
        return self._value

    def _lock_for(self, name):
        with self._guard:
            found = self._locks.get(name)
            if found is None:
                found = self._locks[name] = threading.Lock()
            return found

    def _event(self, ctx, name, kind, site):
        if ctx.killed:
            return
        self.emitter.emit({"type": "lock", "run": self.run, "lane": ctx.lane, "task": ctx.task,
                           "lock": name, "kind": kind, "atMs": self.emitter.now(),
                           "site": {"file": site[0], "line": site[1]}})

    def acquire(self, name, site):
        """Waits in short slices so a deadlocked task can be ended (threads cannot be killed)."""
        lk = self._lock_for(name)
        ctx = self.context()
        if ctx is None:
            lk.acquire()
            return
        self._event(ctx, name, "request", site)
        while not lk.acquire(timeout=self.POLL_S):
            if ctx.killed:
                raise TaskKilled()
        if ctx.killed:
            lk.release()
            raise TaskKilled()
        self._event(ctx, name, "acquire", site)

    def release(self, name, site):
        ctx = self.context()
        if ctx is not None:
            self._event(ctx, name, "release", site)
        self._lock_for(name).release()


def guarded_exit(code=0):
    """Replaces os._exit in the harness: a task in a worker thread must not end the whole run."""
    from parallel_profiler import _backend
    if isinstance(_backend, ThreadBackend) and _backend.context() is not None:
        raise WorkerExit(code)
    _real_exit(code)
