"""What a stuck thread holds and waits for among the user's own locks, read from its stack.

A lock taken a thousand times in a run is put back unwrapped (ownlocks.py, HOT_USES), so a later
deadlock of it tells no lock events: two threads transferring thousands of times in opposite lock
orders stop with nothing to say why. The `with` statements around each stuck thread's lines tell it
instead: those it is inside it holds, the one it stands on it waits for. They are read once a thread
run has stalled for a second (threadpool.py) and when the controller asks for a stalled run's
stacks (threadpool.py, procworker.py); told as lock events, they let the controller find the cycle
as it finds any deadlock. Only simple lock expressions are read (`first`, `self.lock`,
`accounts[name].lock`), without running any of the user's code."""
import ast
import linecache
import os
import time

_trees = {}
# The harness's own code: a thread in it is in a lock's wrapper (ownlocks.py), waiting for the lock
# the user's line above it takes.
_HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A multiprocessing lock's own Python layer (its __enter__), between the user's line and the wait.
_MP_LOCK = os.path.join("multiprocessing", "synchronize.py")


def in_harness(frame):
    return os.path.abspath(frame.f_code.co_filename).startswith(_HARNESS + os.sep)


def _in_lock(frame):
    return in_harness(frame) or frame.f_code.co_filename.endswith(_MP_LOCK)


def _tree(filename):
    if filename not in _trees:
        try:
            _trees[filename] = ast.parse("".join(linecache.getlines(filename)), filename)
        except (SyntaxError, ValueError):
            _trees[filename] = None
    return _trees[filename]


def _value(node, frame):
    """The object a plain expression names in `frame`, read without calling anything; raises
    LookupError where it cannot."""
    if isinstance(node, ast.Name):
        for scope in (frame.f_locals, frame.f_globals):
            if node.id in scope:
                return scope[node.id]
        raise LookupError(node.id)
    if isinstance(node, ast.Attribute):
        owner = _value(node.value, frame)
        attributes = getattr(owner, "__dict__", None)
        if not isinstance(attributes, dict) or node.attr not in attributes:
            raise LookupError(node.attr)
        return attributes[node.attr]
    if isinstance(node, ast.Subscript):
        container = _value(node.value, frame)
        key = node.slice
        if type(key).__name__ == "Index":  # Python 3.8 wraps it
            key = key.value
        key = key.value if isinstance(key, ast.Constant) else _value(key, frame)
        if type(container) not in (dict, list, tuple):
            raise LookupError("item")
        return container[key]
    raise LookupError(type(node).__name__)


def _locks_of(with_node, frame, names):
    """The user's locks a `with` statement takes, by name."""
    found = []
    for item in with_node.items:
        try:
            name = names.get(id(_value(item.context_expr, frame)))
        except (LookupError, KeyError, IndexError, TypeError):
            name = None
        if name is not None:
            found.append(name)
    return found


def _acquired_on(line, tree, frame, names):
    """The user's lock an `x.acquire()` on `line` takes, if any."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node, "lineno", None) == line
                and isinstance(node.func, ast.Attribute) and node.func.attr == "acquire"):
            try:
                return names.get(id(_value(node.func.value, frame)))
            except (LookupError, KeyError, IndexError, TypeError):
                return None
    return None


def own_lock_waits(frame, own_locks):
    """(held, waited) of a thread stopped at `frame`: `held` the (name, (file, line)) of each of the
    user's locks it is inside a `with` of, outermost first; `waited` the one its innermost frame
    outside the harness and the lock's own code stands on, or None, as where the stack cannot be
    read. `own_locks`: the user's locks by name, as wrapped (ownlocks.OwnLocks.by_name)."""
    names = {}
    for name, wrapper in own_locks.items():
        names[id(wrapper)] = names[id(wrapper._lock)] = name
    if not names:
        return [], None
    try:
        return _waits(frame, names)
    except Exception:  # noqa: BLE001 - a stack we cannot read leaves it a hang
        return [], None


# No task finished for this long: the stuck workers' stacks are read for a deadlock of the user's
# locks (threadpool.py and procpool.py, each its own way).
STALL_S = 1.0
# How often the stacks are read then: each read holds the interpreter for a moment.
STALL_CHECK_S = 0.25


class StallWatch:
    """When a run's workers' waits among the user's locks are to be read (no task has finished for
    STALL_S, and STALL_CHECK_S since the last reading), and which cycle among them to tell: one seen
    on two readings in a row, once. Hot locks are taken unwrapped and tell nothing themselves, so
    the controller would otherwise find their deadlock only at the hang timeout."""

    def __init__(self):
        self.finished = 0
        self.since = time.monotonic()
        self.checked = 0.0
        self.seen = None
        self.told = None

    def due(self, finished, on_restart=None):
        """Whether to read the waits now, `finished` tasks having ended; False while tasks end
        (then `on_restart()`: what was read before describes no stall)."""
        now = time.monotonic()
        if finished != self.finished:
            self.finished, self.since, self.seen = finished, now, None
            if on_restart is not None:
                on_restart()
            return False
        if now - self.since < STALL_S or now - self.checked < STALL_CHECK_S:
            return False
        self.checked = now
        return True

    def cycle_to_tell(self, waits, lane_id):
        """The lanes of `waits` (as wait_cycle takes them) whose cycle to tell now, else None;
        `lane_id(lane)` names a lane across readings."""
        cycle = wait_cycle(waits)
        key = tuple(sorted((lane_id(lane), waits[lane][2][0]) for lane in cycle)) if cycle else None
        tell = key is not None and key == self.seen and key != self.told
        self.seen = key
        if tell:
            self.told = key
            return cycle
        return None


def wait_cycle(waits):
    """Lanes that each wait for a lock the next one holds, round to the first; `waits` maps a lane
    to (task, held, waited) as own_lock_waits reads them. None where there is no cycle."""
    holder = {}
    for lane, (_, held, _) in waits.items():
        for name, _ in held:
            holder[name] = lane
    for start in waits:
        path = []
        lane = start
        while lane is not None and lane not in path:
            path.append(lane)
            lane = holder.get(waits[lane][2][0]) if lane in waits else None
        if lane is not None:
            return path[path.index(lane):]
    return None


def as_lock_events(held, waited):
    """The lock events that tell them, as (kind, name, file, line): an acquire for each lock held,
    then the request for the one waited for."""
    return [(kind, name, file, line) for kind, (name, (file, line))
            in [("acquire", h) for h in held] + [("request", waited)]]


def _waits(frame, names):
    """own_lock_waits with `names`: the id of each lock (itself, and its wrapper) to its name."""
    while frame is not None and _in_lock(frame):
        frame = frame.f_back
    held = []
    waited = None
    innermost = True
    while frame is not None:
        if in_harness(frame):  # the harness's own `with`s hold none of the user's locks
            frame = frame.f_back
            continue
        filename, line = frame.f_code.co_filename, frame.f_lineno
        tree = _tree(filename)
        if tree is not None:
            inside = []
            for node in ast.walk(tree):
                if not isinstance(node, (ast.With, ast.AsyncWith)) or not node.body:
                    continue
                end = getattr(node, "end_lineno", None) or node.body[-1].lineno
                if node.lineno <= line < node.body[0].lineno and innermost and waited is None:
                    locks = _locks_of(node, frame, names)
                    # `with a, b:` could wait for either: only a lone lock is known.
                    if len(locks) == 1:
                        waited = (locks[0], (filename, node.lineno))
                elif node.body[0].lineno <= line <= end:
                    inside.append(node)
            # This frame's locks come before those of the frames it called.
            held[:0] = [(name, (filename, node.lineno))
                        for node in sorted(inside, key=lambda n: n.lineno)
                        for name in _locks_of(node, frame, names)]
            if innermost and waited is None:
                name = _acquired_on(line, tree, frame, names)
                if name is not None:
                    waited = (name, (filename, line))
        frame = frame.f_back
        innermost = False
    return held, waited
