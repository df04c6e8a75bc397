"""Parallel Profiler runtime: a shared counter and named locks that user code may import.

    from parallel_profiler import counter, lock

    counter.add()          # atomic increment, never loses an update
    counter.unsafe_add()   # plain read-modify-write (value += n): can lose updates
    counter.value          # current value
    with lock("a"):        # a named lock shared by every thread and process of the run
        ...

Under the profiler the harness installs a backend that shares the counter and the locks across
the run's workers and reports every lock request / acquire / release. Outside the profiler (plain
`python3 file.py`, your editor, your tests) a tiny in-process fallback keeps the same API working.
Standard library only, Python >= 3.8.
"""
import sys
import threading

__all__ = ["counter", "lock", "SharedCounter", "NamedLock"]


class _LocalBackend:
    """The fallback outside the profiler: one in-process counter and threading locks by name."""

    def __init__(self):
        self._value = 0
        self._guard = threading.Lock()
        self._locks = {}

    def add(self, n):
        with self._guard:
            self._value += n

    def unsafe_add(self, n):
        self._value += n

    def value(self):
        return self._value

    def _lock_for(self, name):
        found = self._locks.get(name)
        if found is None:
            with self._guard:
                found = self._locks.get(name)
                if found is None:
                    found = self._locks[name] = threading.Lock()
        return found

    def acquire(self, name, site):
        self._lock_for(name).acquire()

    def release(self, name, site):
        self._lock_for(name).release()


_backend = _LocalBackend()


def _install(backend):
    """Used by the profiler's harness to swap in the shared, instrumented backend."""
    global _backend
    _backend = backend


def _site(depth):
    """(file, line) of the user's code `depth` frames above the caller."""
    frame = sys._getframe(depth + 1)
    return (frame.f_code.co_filename, frame.f_lineno)


class SharedCounter:
    """A shared integer: `add(n)` is atomic, `unsafe_add(n)` is `value += n` without the lock."""

    __slots__ = ()

    def add(self, n=1):
        """Atomically add n (never loses an update)."""
        _backend.add(n)

    def unsafe_add(self, n=1):
        """Read, add, write back without the lock: concurrent callers can lose updates."""
        _backend.unsafe_add(n)

    @property
    def value(self):
        """The counter's current value."""
        return _backend.value()

    def __repr__(self):
        return "<parallel_profiler counter value=%r>" % (self.value,)


_held = threading.local()


def _push_site(name, site):
    stacks = getattr(_held, "sites", None)
    if stacks is None:
        stacks = _held.sites = {}
    stacks.setdefault(name, []).append(site)


def _pop_site(name, fallback):
    stack = getattr(_held, "sites", {}).get(name)
    return stack.pop() if stack else fallback


class NamedLock:
    """A lock shared by every worker under one name; use it as `with lock("a"): ...`.

    Events carry the site where the lock was taken (the `with` line), for acquire and release.
    """

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def _acquire(self, site):
        _backend.acquire(self.name, site)
        _push_site(self.name, site)

    def _release(self, fallback):
        _backend.release(self.name, _pop_site(self.name, fallback))

    def acquire(self):
        """Wait for the lock (interruptible by the profiler when it ends a deadlocked task)."""
        self._acquire(_site(1))

    def release(self):
        """Release the lock."""
        self._release(_site(1))

    def __enter__(self):
        self._acquire(_site(1))
        return self

    def __exit__(self, *exc):
        self._release(_site(1))
        return False

    def __repr__(self):
        return "<parallel_profiler lock %r>" % (self.name,)


#: The run's shared counter.
counter = SharedCounter()


def lock(name="default"):
    """The named lock `name`, shared by all threads and processes of the profiled run."""
    return NamedLock(str(name))
