"""The runtime backend inside a process-pool worker: the counter is the run's shared
multiprocessing.Value, locks are the shared named locks; lock events go to the harness."""
import os

from .ownlocks import OwnLockEvents, plain_acquire, shared_between_processes


class ProcessBackend:
    """`unsafe_add` is literally `v.value += n` (two separately locked steps: updates get lost)."""

    POLL_S = 0.05

    def __init__(self, shared, send, now):
        self.shared = shared
        self.send = send
        self.now = now
        self.pid = os.getpid()
        self.task = None
        self.tally = 0
        self._slots = {}
        #: The user's own locks this worker holds (ownlocks.py), for the task running.
        self.own_held = []
        self.own_events = OwnLockEvents(self._own_event, now)

    def add(self, n):
        v = self.shared.counter
        with v.get_lock():
            v.value += n
        self.tally += n

    def unsafe_add(self, n):
        v = self.shared.counter
        v.value += n
        self.tally += n

    def value(self):
        return self.shared.counter.value

    def _event(self, name, kind, site):
        if self.task is not None:
            self.send(("lock", self.task, name, kind, self.now(), site[0], site[1]))

    def acquire(self, name, site):
        slot = self.shared.slot_of(name, self._slots)
        self._event(name, "request", site)
        self.shared.locks[slot].acquire()
        self.shared.holders[slot] = self.pid
        self._event(name, "acquire", site)

    def acquire_own(self, lock, name, site, blocking, timeout):
        """The user's own lock (ownlocks.py): events only for a multiprocessing lock, which the
        forked workers share (a threading lock here is this process's copy). A deadlocked worker
        is killed, so its wait needs no slices."""
        if not shared_between_processes(lock) or self.task is None:
            return plain_acquire(lock, blocking, timeout)
        return self.own_events.acquire(self, lock, name, site, blocking, timeout, lambda lk: lk.acquire())

    def release_own(self, lock, name, site):
        if not shared_between_processes(lock) or self.task is None:
            lock.release()
        else:
            self.own_events.release(self, lock, name, site)

    def _own_event(self, _task, name, kind, site, at_ms):
        self.send(("lock", self.task, name, kind, at_ms, site[0], site[1]))

    def release(self, name, site):
        slot = self.shared.slot_of(name, self._slots)
        self._event(name, "release", site)
        self.shared.holders[slot] = 0
        self.shared.locks[slot].release()
