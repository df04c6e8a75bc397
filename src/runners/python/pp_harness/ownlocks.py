"""The user's own locks, watched as the runtime's `lock(name)` is: threading's Lock and RLock and
multiprocessing's, kept in a module-level name, in a module-level dict or list (`locks["a"]`), or
as an attribute of a module-level object of the user's classes (`accounts["alice"].lock`). Each is
put back wrapped before every run, so that in the sequential and thread runs taking it can be a
lock event: two locks taken in opposite orders are warned of, a deadlock between them is found,
its waits give up in the stuck threads (a thread cannot be killed) and the run goes on, and lock
waits are drawn on the timeline.

A wrapper costs a few µs a use, where the lock itself costs a tenth of one: a lock taken thousands
of times in a run (a hot loop) puts its own lock back in its place, so the run is timed as the
user's code runs; a deadlock of it is then found as a hang. In a process-pool worker the events
come from the worker: a multiprocessing lock is one the forked workers share, and the harness
releases it for a worker it killed; a threading lock is the worker's own copy, told under a name
of its own process (procbackend.py)."""
import sys
import threading
import types
from multiprocessing import synchronize

import parallel_profiler

LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()), threading._PyRLock,
              synchronize.Lock, synchronize.RLock)
# A learner's locks are a handful; a structure holding thousands is data, not worth walking.
MAX_WALKED = 1000
MAX_WATCHED = 64
# Uses in one run after which a lock is taken unwrapped: a few ms of wrapping at most.
HOT_USES = 1000


def shared_between_processes(lock):
    """A multiprocessing lock, which forked workers share (a threading lock they copy)."""
    return isinstance(lock, (synchronize.Lock, synchronize.RLock))


def lock_kind(lock):
    """"threading.Lock", "threading.RLock", "multiprocessing.Lock" or "multiprocessing.RLock"."""
    return ("multiprocessing." if shared_between_processes(lock) else "threading.") + ("RLock" if "RLock" in type(lock).__name__ else "Lock")


#: The user's locks whose wrapper gave way to the lock itself in this run (WatchedLock, HOT_USES),
#: by id: a task's record of holding one may be stale, its release no longer passing the harness.
_UNWRAPPED = set()


def plain_acquire(lock, blocking, timeout):
    """`lock.acquire` as threading's signature means it, for threading's and multiprocessing's."""
    if timeout is None or timeout < 0:
        return lock.acquire(blocking)
    return lock.acquire(blocking, timeout)


def _caller():
    """(file, line) of the code that called the wrapper's method."""
    frame = sys._getframe(2)
    return frame.f_code.co_filename, frame.f_lineno


class WatchedLock:
    """Stands in for the user's lock: the same lock underneath, taken through the harness.
    Each of `places` puts a value where the lock was found (one lock may be found twice)."""

    __slots__ = ("_lock", "_name", "places", "uses")

    def __init__(self, lock, name, place):
        self._lock = lock
        self._name = name
        self.places = [place]
        self.uses = 0

    def put(self, value):
        for place in self.places:
            try:
                place(value)
            except Exception:  # noqa: BLE001 - never an error of ours in the user's code
                pass

    def acquire(self, blocking=True, timeout=-1):
        return self._acquire(blocking, timeout, _caller())

    def release(self):
        self._release(_caller())

    def __enter__(self):
        return self._acquire(True, -1, _caller())

    def __exit__(self, *exc):
        self._release(_caller())
        return False

    def _acquire(self, blocking, timeout, site):
        self.uses += 1
        if self.uses == HOT_USES:
            _UNWRAPPED.add(id(self._lock))
            self.put(self._lock)
        own = getattr(parallel_profiler._backend, "acquire_own", None)
        if own is None:
            return plain_acquire(self._lock, blocking, timeout)
        return own(self._lock, self._name, site, blocking, timeout)

    def _release(self, site):
        own = getattr(parallel_profiler._backend, "release_own", None)
        if own is None:
            self._lock.release()
        else:
            own(self._lock, self._name, site)

    def __getattr__(self, attr):
        return getattr(self._lock, attr)

    def __repr__(self):
        return repr(self._lock)


class OwnLockEvents:
    """The events of the user's own locks in one run, told only where they matter. A lock taken
    without waiting is kept in the task's `held` list and told to no one: a hot lock taken a
    million times would otherwise send millions of events (a 66 ms profile took 6.5 s). Told are:
    a wait for a lock (with the locks the waiting task holds, as their acquires, since a deadlock
    is made of tasks that wait while holding), the lock it then gets, and the first time a lock is
    taken while holding another (a new order, for the lock-order warning); and the release of
    whatever was told. `task` is whatever `emit(task, name, kind, site, at_ms)` needs to send an
    event for the task running, with its `own_held` list; `now()` is the clock.

    The runtime's named locks (`lock("a")`) go through `acquire_named`: each is told in full for
    its first HOT_USES uses in the run (the worker's, in a process pool), then as the user's own
    locks are, except that a wait is told only once it has lasted LONG_WAIT_S. Telling every use had
    cost ~35 µs a use: a loop taking two locks 200 000 times took 15 s, now ~2.7 (with plain
    threading locks, ~0.2)."""

    MAX_EVENTS = 50000
    # How often hot named locks in use tell `busy()`: progress for the hang watch, though they tell
    # no events.
    BUSY_EVERY_MS = 250
    # A hot named lock's wait is told once it lasts this long: a deadlock's does, contention's
    # (microseconds, by the million) mostly not.
    LONG_WAIT_S = 0.05

    def __init__(self, emit, now, busy=None):
        self._emit = emit
        self.now = now
        self.busy = busy
        self.busy_told_ms = 0.0
        self.orders = set()
        self.events = 0
        self.uses = {}
        #: The hot named locks' uses told as no event, and how long they waited in all (ms), by
        #: (lane, name): so that lock contention is measured over the whole run (core/lockWaits.ts).
        self.hot = {}

    def emit(self, task, name, kind, site, at_ms):
        # Past the budget nothing more is told: a run of waits by the thousand is contention, and
        # the timeline has seen enough of it; a deadlock is still ended as a hang.
        if self.events < self.MAX_EVENTS:
            self.events += 1
            self._emit(task, name, kind, site, at_ms)

    def _reveal(self, task):
        for entry in task.own_held:
            if not entry[3]:
                entry[3] = True
                self.emit(task, entry[0], "acquire", entry[1], entry[2])

    def acquire_named(self, task, lock, name, site, wait):
        """Takes the runtime's named lock `lock`, waiting with `wait(lock)` as `acquire` does."""
        uses = self.uses[name] = self.uses.get(name, 0) + 1
        if uses > HOT_USES:
            if uses % 1024 == 0 and self.busy is not None:
                now = self.now()
                if now - self.busy_told_ms >= self.BUSY_EVERY_MS:
                    self.busy_told_ms = now
                    self.busy()
            return self.acquire(task, lock, name, site, True, None, wait, patient=True, named=True)
        self._reveal(task)
        self.emit(task, name, "request", site, self.now())
        wait(lock)
        at_ms = self.now()
        self.orders.update((entry[0], name) for entry in task.own_held)
        self.emit(task, name, "acquire", site, at_ms)
        task.own_held.append([name, site, at_ms, True, lock, True])
        return True

    def acquire(self, task, lock, name, site, blocking, timeout, wait, patient=False, named=False):
        """Takes `lock` as `lock.acquire(blocking, timeout)` would; `wait(lock)` is the endless
        wait (it may raise to end a deadlocked task). A `patient` wait is told only once it has
        lasted LONG_WAIT_S."""
        held = task.own_held
        told = False
        asked_ms = None
        if not plain_acquire(lock, False, None):
            if not blocking:
                return False
            if timeout is not None and timeout >= 0:
                # A wait with a timeout ends by itself: no deadlock to find.
                if not plain_acquire(lock, True, timeout):
                    return False
            else:
                asked_ms = self.now()
                if not (patient and plain_acquire(lock, True, self.LONG_WAIT_S)):
                    self._reveal(task)
                    self.emit(task, name, "request", site, asked_ms)
                    wait(lock)
                    told = True
        at_ms = self.now()
        if held and not told:
            new = [(entry[0], name) for entry in held if (entry[0], name) not in self.orders]
            if new:
                # As a request granted at once: a request while holding is what makes an order.
                self.orders.update(new)
                self._reveal(task)
                self.emit(task, name, "request", site, at_ms)
                told = True
        if told:
            self.emit(task, name, "acquire", site, at_ms)
        elif patient:
            tally = self.hot.get((getattr(task, "lane", 0), name))
            if tally is None:
                tally = self.hot[(getattr(task, "lane", 0), name)] = [0, 0.0]
            tally[0] += 1
            if asked_ms is not None:
                tally[1] += at_ms - asked_ms
        held.append([name, site, at_ms, told, lock, named])
        return True

    def hot_locks(self, lane=None):
        """The hot uses told as no event, as the `hot-locks` event lists them; `lane` for all,
        in a process worker (whose tasks are its lane's)."""
        return [{"lane": lane if lane is not None else at, "lock": name, "uses": uses, "waitMs": round(wait, 3)}
                for (at, name), (uses, wait) in self.hot.items()]

    def release_left(self, task, release_named):
        """At a task's end, the locks it still holds (a `return` between acquire() and release()):
        released, so that the rest of the run goes on, the runtime's named ones through
        `release_named(name, site)`; returns each one's (name, site), for the user to learn where."""
        left = []
        for name, site, _, _, lock, named in reversed(list(task.own_held)):
            if named:
                release_named(name, site)
            elif id(lock) in _UNWRAPPED:
                continue  # released, maybe, by the lock itself: nothing to tell or undo
            else:
                try:
                    self.release(task, lock, name, site)
                except (RuntimeError, ValueError, AssertionError):
                    continue  # released already after all
            left.append((name, site))
        return left[::-1]

    def release(self, task, lock, name, site):
        held = task.own_held
        for i in range(len(held) - 1, -1, -1):
            if held[i][0] == name:
                if held.pop(i)[3]:
                    self.emit(task, name, "release", site, self.now())
                break
        lock.release()


class OwnLocks:
    """The locks the user's modules hold, wrapped, by name ("a", "accounts['alice'].lock")."""

    def __init__(self, modules):
        self.by_name = {}
        by_lock = {}
        user_modules = {module.__name__ for module in modules}

        def watched(value, name, place, depth):
            if isinstance(value, LOCK_TYPES):
                # One lock under two names (`a`, and `locks["a"]`) is one wrapper, by its first name.
                found = by_lock.get(id(value))
                if found is not None:
                    found.places.append(place)
                elif len(self.by_name) < MAX_WATCHED:
                    found = by_lock[id(value)] = self.by_name[name] = WatchedLock(value, name, place)
                return
            if depth >= 2:
                return
            if type(value) is dict and len(value) <= MAX_WALKED:
                for key in list(value):
                    watched(value[key], "%s[%r]" % (name, key), _item_place(value, key), depth + 1)
            elif type(value) is list and len(value) <= MAX_WALKED:
                for i, item in enumerate(value):
                    watched(item, "%s[%d]" % (name, i), _item_place(value, i), depth + 1)
            elif type(value).__module__ in user_modules and not isinstance(value, (type, types.FunctionType)):
                # An object of the user's own classes (not a library's: a logging handler has a lock).
                for attr, item in list((getattr(value, "__dict__", None) or {}).items()):
                    watched(item, "%s.%s" % (name, attr), _attribute_place(value, attr), depth + 1)

        for module in modules:
            names = vars(module)
            for key, value in list(names.items()):
                if key.startswith("__") or isinstance(value, types.ModuleType):
                    continue
                try:
                    watched(value, key, _item_place(names, key), 0)
                except Exception:  # noqa: BLE001 - an odd object costs its locks' events, not the run
                    pass

    def event(self):
        """The `own-locks` event: each lock by name, its kind, and whether worker processes share it."""
        return {"type": "own-locks", "locks": [
            {"name": name, "kind": lock_kind(wrapper._lock), "shared": shared_between_processes(wrapper._lock)}
            for name, wrapper in self.by_name.items()]}

    def wrap(self):
        """Before each run: every lock wrapped in its place, none hot yet. A place that refuses
        the wrapper (an object that allows no new attribute values) keeps its lock as it is."""
        for wrapper in self.by_name.values():
            wrapper.uses = 0
            _UNWRAPPED.discard(id(wrapper._lock))
            for place in list(wrapper.places):
                try:
                    place(wrapper)
                except Exception:  # noqa: BLE001
                    wrapper.places.remove(place)


def _item_place(container, key):
    def place(value):
        container[key] = value
    return place


def _attribute_place(obj, attr):
    def place(value):
        setattr(obj, attr, value)
    return place


def release_own_locks(watched, held):
    """Releases the user's multiprocessing locks a killed worker held (`held`: their names, one per
    acquire; `watched`: OwnLocks.by_name), so that the workers after it do not wait for them
    forever; returns those released. An RLock belongs to the process that took it and cannot be
    released from here."""
    released = []
    for name in held:
        lock = watched[name]._lock
        if isinstance(lock, synchronize.Lock):
            try:
                lock.release()
                released.append(name)
            except ValueError:
                pass
    return released
