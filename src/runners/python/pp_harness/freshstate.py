"""Every run starts from the same state of the user's modules: what one run's calls leave behind (a
functools cache, a dict used as a memo, a counter in a global) must not speed up or change the next
run. Each JS worker and each spawned Python worker loads the module afresh; the sequential, thread
and forked process runs would otherwise share the harness's copy, and a cached function would show
a thread pool hundreds of times faster than sequential.

The state is taken after the inputs were evaluated (what they set up stays) and put back before
every run: the module-level names, the contents of the dicts, lists and sets and their kin
(Counter, defaultdict, deque) the module-level values hold and of the objects of the user's
classes among them (their attributes), however deep, each shallowly (_Contents), and functools
caches emptied. Objects keep their identity, so inputs made of the module's classes
still match them. So are the inputs themselves (InputState): what a call changed of its arguments
is put back before the next run."""
import collections
import ctypes
import os
import sys
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray

from .loader import package_of

# Containers bigger than this are data, not caches; copying them would cost memory for nothing.
MAX_COPIED = 100000


def user_modules(user_file):
    """The user's modules loaded now: the target's and those beside it or in its package's tree
    (not the standard library, installed packages or the harness)."""
    root = os.path.realpath(package_of(user_file)[0])
    harness = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    found = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path:
            continue
        path = os.path.realpath(path)
        if (path.startswith(root + os.sep) and not path.startswith(harness + os.sep)
                and "site-packages" not in path and "dist-packages" not in path):
            found.append(module)
    return found


# Containers whose contents are put back: the builtin ones and their kin (Counter, defaultdict,
# OrderedDict, deque).
CONTAINER_TYPES = (dict, list, set, collections.deque)


def _contents(value):
    """A shallow copy of a small container's contents; None for anything else."""
    if isinstance(value, CONTAINER_TYPES) and len(value) <= MAX_COPIED:
        return list(value.items()) if isinstance(value, dict) else list(value)
    return None


def _put_back(value, contents):
    if isinstance(value, list):
        value[:] = contents
        return
    value.clear()
    if isinstance(value, (dict, set)):
        value.update(contents)
    else:
        value.extend(contents)


class ModuleState:
    """The state of the user's modules now, to put back before each run: their names, and what
    their module-level values hold (_Contents)."""

    def __init__(self, modules):
        self.saved = []
        roots = []
        for module in modules:
            names = vars(module)
            kept = dict(names)
            self.saved.append((names, kept))
            # Not the module's own machinery: __builtins__ is a dict too, and emptying it for a
            # moment would leave the restore itself without `isinstance`.
            roots.extend(value for key, value in kept.items() if not key.startswith("__"))
        self.contents = _Contents(roots, modules)

    def restore(self):
        for names, kept in self.saved:
            for key in [k for k in names if k not in kept]:
                del names[key]
            names.update(kept)
            for value in kept.values():
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and hasattr(value, "cache_info"):
                    clear()
        self.contents.restore()


def _instance_attributes(value, classes_from):
    """Whether `value` is an object of one of the user's classes (an Account) whose attributes are
    a dict of its own; not a class or function, nor a library's object (a Manager's proxy keeps its
    connection in its attributes)."""
    return (type(value).__module__ in classes_from and isinstance(getattr(value, "__dict__", None), dict)
            and not callable(value))


def _writable_buffer(value):
    """A contiguous, writable memoryview of `value` (a NumPy array, a bytearray, an array.array), or
    None: its bytes are put back as they were, in place."""
    if isinstance(value, (list, tuple, dict, set, frozenset, collections.deque)):
        return None
    try:
        view = memoryview(value)
    except (TypeError, ValueError, BufferError):  # not a buffer, or one of objects (dtype=object)
        return None
    return view if not view.readonly and view.contiguous else None


# What the walk steps over at C speed: values that hold nothing to put back.
_SCALARS = frozenset((int, float, complex, bool, str, bytes, type(None)))


class _Contents:
    """What `roots` hold, to put back in place: the contents of every list, dict, set or deque
    among them and within them, the attributes of every object of the user's classes (an Account's
    balance), the bytes of writable buffers (NumPy arrays, bytearrays, array.arrays), and the
    multiprocessing Values and Arrays, each shallowly, so that what they share
    stays shared and objects keep their identity. Walked level by level, scalars skipped at C
    speed; a bounded number of them."""

    MAX_SAVED = 10000
    MAX_WALKED = 100000
    # Items copied in all: deep data (a list of big lists) is not copied whole.
    MAX_ITEMS = 2000000
    # Bytes of buffers copied in all (NumPy arrays, bytearrays, array.arrays).
    MAX_BYTES = 64 * 2 ** 20

    def __init__(self, roots, modules):
        classes_from = {module.__name__ for module in modules}
        self.containers = []
        self.values = []
        self.buffers = []
        seen = set()
        items = 0
        copied_bytes = 0
        level = list(roots)
        while level and len(self.containers) + len(self.values) < self.MAX_SAVED and len(seen) < self.MAX_WALKED:
            if set(map(type, level)) <= _SCALARS:
                break
            below = []
            for value in level:
                if type(value) in _SCALARS or id(value) in seen:
                    continue
                seen.add(id(value))
                if isinstance(value, (Synchronized, SynchronizedArray, ctypes._SimpleCData, ctypes.Array)):
                    raw = value.get_obj() if isinstance(value, (Synchronized, SynchronizedArray)) else value
                    self.values.append((raw, raw[:] if isinstance(raw, ctypes.Array) else raw.value))
                    continue
                view = _writable_buffer(value)
                if view is not None:
                    if copied_bytes + view.nbytes <= self.MAX_BYTES:
                        copied_bytes += view.nbytes
                        self.buffers.append((value, view.tobytes()))
                    continue
                if _instance_attributes(value, classes_from):
                    value = vars(value)  # an object's attributes: a dict, put back like one
                contents = _contents(value)
                if contents is not None and items + len(contents) <= self.MAX_ITEMS:
                    items += len(contents)
                    self.containers.append((value, contents))
                # Tuples hold what may change too: (Account, 60).
                if isinstance(value, dict):
                    below.extend(value.values())
                elif isinstance(value, (list, tuple, set, frozenset, collections.deque)):
                    below.extend(value)
            level = below

    def restore(self):
        for value, contents in self.containers:
            _put_back(value, contents)
        for value, saved in self.buffers:
            memoryview(value).cast("B")[:] = saved
        for raw, saved in self.values:
            if isinstance(raw, ctypes.Array):
                raw[:] = saved
            else:
                raw.value = saved


class InputState(_Contents):
    """The inputs as evaluated, put back before every run: the calls may change their arguments (a
    list they append to, an Account they withdraw from, a Value they add to), and each run must
    start from the inputs the user's one run would get; else the thread run's calls would meet the
    sequential run's changes and differ from it for that alone. `modules`: the user's
    (user_modules), whose classes' objects have their attributes put back."""
