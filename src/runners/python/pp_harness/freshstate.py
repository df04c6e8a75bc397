"""Every run starts from the same state of the user's modules: what one run's calls leave behind (a
functools cache, a dict used as a memo, a counter in a global) must not speed up or change the next
run. Each JS worker and each spawned Python worker loads the module afresh; the sequential, thread
and forked process runs would otherwise share the harness's copy, and a cached function would show
a thread pool hundreds of times faster than sequential.

The state is taken after the inputs were evaluated (what they set up stays) and put back before
every run: the module-level names, the contents of module-level dicts, lists and sets and their kin
(Counter, defaultdict, deque; shallowly),
and functools caches emptied. Objects keep their identity, so inputs made of the module's classes
still match them."""
import collections
import os
import sys

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
    """The state of the user's modules now, to put back before each run."""

    def __init__(self, modules):
        self.saved = []
        for module in modules:
            names = vars(module)
            kept = dict(names)
            contents = {}
            for key, value in kept.items():
                # Not the module's own machinery: __builtins__ is a dict too, and emptying it for a
                # moment would leave the restore itself without `isinstance`.
                copy = None if key.startswith("__") else _contents(value)
                if copy is not None:
                    contents[key] = (value, copy)
            self.saved.append((names, kept, contents))

    def restore(self):
        for names, kept, contents in self.saved:
            for key in [k for k in names if k not in kept]:
                del names[key]
            names.update(kept)
            for value, copy in contents.values():
                _put_back(value, copy)
            for value in kept.values():
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and hasattr(value, "cache_info"):
                    clear()
