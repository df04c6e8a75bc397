"""The runtime backend inside a process-pool worker: the counter is the run's shared
multiprocessing.Value, locks are the shared named locks; lock events go to the harness."""
import os

from .ownlocks import OwnLockEvents, plain_acquire, shared_between_processes


class ProcessBackend:
    """`unsafe_add` is literally `v.value += n` (two separately locked steps: updates get lost)."""

    POLL_S = 0.05

    def __init__(self, shared, send, now, shares_locks=True):
        self.shared = shared
        self.send = send
        self.now = now
        #: Whether the user's multiprocessing locks are the harness's (forked) or this worker's own.
        self.shares_locks = shares_locks
        self.pid = os.getpid()
        self.task = None
        self.tally = 0
        self._slots = {}
        #: The user's own locks this worker holds (ownlocks.py), for the task running.
        self.own_held = []
        self.own_events = OwnLockEvents(self._own_event, now, lambda: send(("busy",)))

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

    def acquire(self, name, site):
        slot = self.shared.slot_of(name, self._slots)
        lock = self.shared.locks[slot]
        if self.task is None:
            lock.acquire()
        else:
            self.own_events.acquire_named(self, lock, name, site, lambda lk: lk.acquire())
        self.shared.holders[slot] = self.pid

    def acquire_own(self, lock, name, site, blocking, timeout):
        """The user's own lock (ownlocks.py), told as in a thread. A forked worker's threading lock
        is a copy of its own (and a spawned worker's every lock, made as it imported the module),
        named as this process's, so that the copies of two workers are not taken for one lock:
        only this worker can make it wait (a Lock taken again). A deadlocked worker is killed, so
        its wait needs no slices."""
        if self.task is None:
            return plain_acquire(lock, blocking, timeout)
        return self.own_events.acquire(self, lock, self.own_name(lock, name), site, blocking, timeout,
                                       lambda lk: lk.acquire())

    def release_own(self, lock, name, site):
        if self.task is None:
            lock.release()
        else:
            self.own_events.release(self, lock, self.own_name(lock, name), site)

    def own_name(self, lock, name):
        """How this worker tells the user's lock: by its name where the workers share it (a
        multiprocessing lock, forked), else as this process's own copy ("guard in process 1234")."""
        shared = self.shares_locks and shared_between_processes(lock)
        return name if shared else "%s%s" % (name, self._copy_suffix)

    def lock_name(self, told):
        """The user's name of a lock this worker told (own_name): its copy is still that lock."""
        return told[:-len(self._copy_suffix)] if told.endswith(self._copy_suffix) else told

    @property
    def _copy_suffix(self):
        return " in process %d" % self.pid

    def _own_event(self, _task, name, kind, site, at_ms):
        self.send(("lock", self.task, name, kind, at_ms, site[0], site[1]))

    def release(self, name, site):
        slot = self.shared.slot_of(name, self._slots)
        self.shared.holders[slot] = 0
        if self.task is None:
            self.shared.locks[slot].release()
        else:
            self.own_events.release(self, self.shared.locks[slot], name, site)
