"""Numbers the user's own calls share and update, defined at module level: a multiprocessing
`Value` or `RawValue`, an `Array` or `RawArray` of numbers (by the sum of its items: a histogram's
`counts[i] += 1`), a global int or float that a function updates (`global hits; hits += 1`), or a
module-level list, set or dict a function changes (`results.append(x)`: by its length, a dict by
its numbers summed and its other values counted), a Manager's dict, list or Value, or a function's
`functools.lru_cache` (by its size: a memo each process-pool worker fills again on its own).
Each run measures how much they changed; the controller compares that with the sequential run's
change (sharedValues.ts). Less means updates were lost: `hits.value += 1` reads and writes in two
separately locked steps, and another worker's update between them is overwritten. No change at all
in a process pool means each worker updated a copy of its own (a global or a list always; a Value
when the workers are spawned and import the module afresh): the classic "my results list is empty
after the pool".

The runtime's counter (parallel_profiler.counter) is what the profiler counts itself; these are
what users write without it, learning the same lesson."""
import ast
import ctypes
import os
import sys
import types
from multiprocessing import managers
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray

from .freshstate import CONTAINER_TYPES, MAX_COPIED
from .ownlocks import LOCK_TYPES, WatchedLock, lock_kind, shared_between_processes

# More than this many are not one lesson's counters but data; each is read at every run's end.
MAX_TRACKED = 20
# An array longer than this is data to compute with, not counters: it is not copied to be put back.
MAX_ITEMS = 1000000


# A manager's dict, list or Value (multiprocessing.Manager()): kept in the manager's process, so
# shared by every thread, and by forked workers, which inherit the proxy; read and put back through
# the manager. `d[k] += 1` is a read and a write, two calls to it, and loses updates between them.
_PROXY_KINDS = ((managers.DictProxy, "dict"), (managers.ListProxy, "list"), (managers.ValueProxy, "value"))


def _proxy_kind(obj):
    """"dict", "list" or "value" for a manager's proxy of one, else None."""
    return next((kind for cls, kind in _PROXY_KINDS if isinstance(obj, cls)), None)


def _proxy_contents(proxy, kind):
    """What a manager's dict, list or value holds now, as a plain copy."""
    return proxy.copy() if kind == "dict" else proxy[:] if kind == "list" else proxy.value


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Tracked:
    def __init__(self, module, name, kind, location, update, code, read_modify_write, guard=None, obj=None):
        self.module = module
        self.name = name
        # "value" (a synchronized Value, or a manager's), "raw" (a RawValue), "array" (an Array or
        # RawArray), "global", "list", "set", "dict" (a manager's too), "cache" (an lru_cache)
        self.kind = kind
        #: `obj`: a Value, Array or RawValue the inputs hold, named by the parameter that gets it;
        #: for an attribute ("bank.balance"), the module's object that has it; for another module's global
        #: ("stats.calls", kind "global"), that module.
        self.obj = obj if obj is not None else vars(module)[name.split(".")[0]]
        #: A manager's proxy (_PROXY_KINDS): its contents are put back before each run.
        self.manager = _proxy_kind(self.obj) is not None
        self.contents = _proxy_contents(self.obj, kind) if self.manager else None
        if kind == "cache":  # emptied before every run (freshstate.py)
            self.obj.cache_clear()
        self.location = location
        self.update = update
        #: The update's line as written, for the warnings to quote.
        self.code = code
        #: Whether an update reads the value back (a list only appended to cannot lose updates).
        self.read_modify_write = read_modify_write
        #: The lock the update is taken under (`with lock:`), if any (_guard).
        self.guard = guard
        self.items = list(_items(self.obj)) if kind == "array" else None
        self.saved = self.read()

    def read(self):
        """The number now, read without the Value's lock: a killed worker may still hold it."""
        shared_object = self.kind in ("array", "value", "raw") or self.manager
        try:
            if "." in self.name:  # an attribute ("bank.balance"), another module's global ("stats.calls")
                return _attribute_of(self.module, self.name)
            return _number_of(self.obj if shared_object else vars(self.module).get(self.name), self.kind)
        except Exception:  # noqa: BLE001 - a manager that went away: nothing to read
            return None

    def restore(self):
        """Back to the value it had after the inputs were evaluated (a global's name is put back
        with the module's other names, freshstate.py)."""
        if self.manager:
            self._restore_proxy()
        elif self.kind == "cache":
            self.obj.cache_clear()
        elif self.kind == "array":
            _items(self.obj)[:] = self.items
        elif self.kind == "value":
            self.obj.get_obj().value = self.saved
        elif self.kind == "raw":
            self.obj.value = self.saved

    def _restore_proxy(self):
        try:
            if self.kind == "dict":
                self.obj.clear()
                self.obj.update(self.contents)
            elif self.kind == "list":
                self.obj[:] = self.contents
            else:
                self.obj.value = self.contents
        except Exception:  # noqa: BLE001 - a manager that went away: nothing to put back
            pass


def _attribute_of(module, name):
    """The number at a module object's attribute ("bank.balance"), or None."""
    owner, attr = name.split(".", 1)
    value = getattr(vars(module).get(owner), attr, None)
    return value if _number(value) else None


def _number_of(value, kind):
    """The number a tracked value stands for (a Value's without its lock), or None where the name
    no longer holds that kind of thing."""
    proxy = _proxy_kind(value)
    if proxy:
        return None if proxy != kind else value.value if kind == "value" else _measure(_proxy_contents(value, kind))
    if kind == "cache":
        return value.cache_info().currsize if _cached(value) else None
    if kind == "array":
        return sum(_items(value))
    if kind == "value":
        return value.get_obj().value
    if kind == "raw":
        return value.value
    if kind in CONTAINERS:
        return _measure(value) if _container_kind(value) == kind else None
    return value if _number(value) else None


class CopyWatch:
    """Inside a worker process: how much its calls changed its own copy of each value that the
    workers do not share (`SharedValues.copy_spec`), told to the harness as the worker leaves."""

    def __init__(self, spec):
        import sys
        self.watched = []
        for index, module_name, name, kind in spec:
            module = sys.modules.get(module_name)
            start = self._read(module, name, kind)
            if start is not None:
                self.watched.append((index, module, name, kind, start))

    @staticmethod
    def _read(module, name, kind):
        try:
            if module is not None and "." in name:  # as _Tracked.read
                return _attribute_of(module, name)
            return _number_of(vars(module).get(name), kind) if module is not None else None
        except Exception:  # noqa: BLE001 - an odd object costs the lesson, not the worker
            return None

    def changes(self):
        """(index, change) for each value still readable."""
        out = []
        for index, module, name, kind, start in self.watched:
            now = self._read(module, name, kind)
            if now is not None:
                out.append((index, now - start))
        return out


def _subject(node):
    """What an assignment target updates: ("hits", "value") for `hits.value`, ("counts", "item")
    for `counts[i]`, ("calls", None) for `calls`, ("bank", "attr:balance") for `bank.balance` (and
    ("self", "attr:balance") for `self.balance`); None for anything else."""
    if isinstance(node, ast.Attribute) and node.attr == "value" and isinstance(node.value, ast.Name):
        return node.value.id, "value"
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, "attr:" + node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return node.value.id, "item"
    if isinstance(node, ast.Name):
        return node.id, None
    return None


def module_assignments(tree):
    """Where each module-level name is first assigned (`name = …`, `name: T = …`): name -> line."""
    defined = {}
    for node in tree.body:
        for target in getattr(node, "targets", None) or [getattr(node, "target", None)]:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(target, ast.Name):
                defined.setdefault(target.id, node.lineno)
    return defined


def _sites(tree):
    """From a module's syntax tree: where each name is defined at module level, the lines that
    update it from itself (`x += …`, `x.value = x.value + …`, `x = max(x, …)`), or change it as a
    container (("x", "store") for `x[k] = …`, ("x", "call") for `x.append(…)`), the names
    functions declare global, and the spans a lock is held across (`with name:` blocks, and
    _function_lock_spans): (name, first line, last line)."""
    defined, updated, declared, withs = module_assignments(tree), {}, set(), []

    def first(subject, line):
        updated.setdefault(subject, []).append(line)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.AugAssign) and _subject(node.target):
            first(_subject(node.target), node.lineno)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and _subject(node.targets[0]):
            subject = _subject(node.targets[0])
            # Self-referencing: `x = x + 1`, `x.value = …x.value…`; for an item, any read of the
            # container (`d[k] = d.get(k, 0) + 1`).
            reads = [_subject(part) for part in ast.walk(node.value)]
            if subject in reads or (subject[1] == "item" and (subject[0], None) in reads):
                first(subject, node.lineno)
            if subject[1] == "item":
                first((subject[0], "store"), node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name) and node.func.attr in _CHANGES):
            first((node.func.value.id, "call"), node.lineno)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            withs.extend((item.context_expr.id, node.lineno, node.end_lineno) for item in node.items
                         if isinstance(item.context_expr, ast.Name))
            # An object's lock: `with self.lock:`, `with bank.lock:`.
            withs.extend(("%s.%s" % (item.context_expr.value.id, item.context_expr.attr), node.lineno, node.end_lineno)
                         for item in node.items if isinstance(item.context_expr, ast.Attribute)
                         and isinstance(item.context_expr.value, ast.Name))
            withs.extend((None, node.lineno, node.end_lineno) for item in node.items if _makes_lock(item.context_expr))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            withs.extend(_function_lock_spans(node))
    return defined, updated, declared, withs


def _function_at(tree, first_line):
    """The function whose code starts at `first_line` (its `def`, or its first decorator), or None."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if first_line in (node.lineno, min([node.lineno] + [d.lineno for d in node.decorator_list])):
                return node
    return None


def _span_of(node):
    """The lines (first, last) of a function's code: its first decorator's to its end."""
    return min([node.lineno] + [d.lineno for d in node.decorator_list]), node.end_lineno


def _in_spans(lines, spans):
    """The lines within any of the spans (first, last)."""
    return [line for line in lines if any(first <= line <= last for first, last in spans)]


def _first_update(lines, span, reached=()):
    """The update line a warning points at: the first in the profiled function, else the first in
    a function or method it calls (`reached`), else the first."""
    return min(_in_spans(lines, [span] if span else []) or _in_spans(lines, reached) or lines)


def _reached(lines, span, reached=()):
    """The lines in the profiled function (`span`) or in a function it calls (`reached`)."""
    return _in_spans(lines, ([span] if span else []) + list(reached))


def _calls_in(node):
    """The names `node` calls: `helper(…)`, `bank.deposit(…)`, `self.add(…)`."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name:
                yield name


def _reached_spans(tree, names):
    """The spans (first, last line) of `tree`'s functions and methods that calls of `names` reach,
    through any depth, read by name (a method by its name alone, whatever object it is called on),
    and every name called on the way."""
    defs = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.setdefault(node.name, []).append(node)
    names = set(names)
    todo, seen, spans = list(names), set(), []
    while todo:
        for called in defs.get(todo.pop(), ()):
            if id(called) not in seen:
                seen.add(id(called))
                spans.append((called.lineno, called.end_lineno))
                more = set(_calls_in(called)) - names
                names |= more
                todo.extend(more)
    return spans, names


def _makes_lock(node):
    """Whether an expression makes a new lock: `threading.Lock()`, `RLock()`."""
    func = node.func if isinstance(node, ast.Call) else None
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return name in ("Lock", "RLock")


def _function_lock_spans(function):
    """What a function holds a lock across, beside its `with` blocks of module-level locks: the
    `with` blocks of a lock it makes afresh at each call (`lock = Lock()` in its body), and the
    lines from a `lock.acquire()` to its `lock.release()`. (name, first line, last line) each,
    the name None for a lock made at each call."""
    declared = {name for node in ast.walk(function) if isinstance(node, ast.Global) for name in node.names}
    local = {target.id for node in ast.walk(function) if isinstance(node, ast.Assign) and _makes_lock(node.value)
             for target in node.targets if isinstance(target, ast.Name) and target.id not in declared}
    spans = [(None, node.lineno, node.end_lineno) for node in ast.walk(function)
             if isinstance(node, (ast.With, ast.AsyncWith))
             and any(isinstance(item.context_expr, ast.Name) and item.context_expr.id in local for item in node.items)]
    calls = sorted((node.lineno, node.func.attr, node.func.value.id) for node in ast.walk(function)
                   if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                   and node.func.attr in ("acquire", "release") and isinstance(node.func.value, ast.Name))
    for line, method, name in calls:
        if method == "acquire":
            release = next((later for later, m, n in calls if m == "release" and n == name and later > line), None)
            if release is not None:
                spans.append((None if name in local else name, line, release))
    return spans


def _guard(module, withs, line, lines, obj=None):
    """The lock of the innermost `with` around `line`, if it is a lock: (its name, or None for one
    made afresh at each call; the with's line and code; the lock object, or None). A dotted name
    is an object's lock: `self.lock` the tracked object's (`obj`), `bank.lock` a module-level one's."""
    around = sorted((w for w in withs if w[1] <= line <= w[2]), key=lambda w: w[1], reverse=True)
    for name, first_line, _ in around:
        if name is None:
            return None, first_line, _line_text(lines, first_line), None
        holder, _, attr = name.rpartition(".")
        if holder:
            owner = obj if holder == "self" else vars(module).get(holder)
            lock = getattr(owner, attr, None) if owner is not None else None
        else:
            lock = vars(module).get(name)
        lock = lock._lock if isinstance(lock, WatchedLock) else lock
        if isinstance(lock, LOCK_TYPES):
            return name, first_line, _line_text(lines, first_line), lock
    return None


# The methods that change a list, a set or a dict.
_CHANGES = {"append", "extend", "insert", "add", "update", "setdefault", "pop", "remove", "discard",
            "clear", "popitem"}
CONTAINERS = ("list", "set", "dict")


def _container_kind(value):
    """"list" (a list or a deque), "set" or "dict" (a Counter, a defaultdict too), or None."""
    if not isinstance(value, CONTAINER_TYPES):
        return None
    return "dict" if isinstance(value, dict) else "set" if isinstance(value, set) else "list"


def _measure(container):
    """A list's or set's length; a dict's numbers summed and its other values counted (a dict of
    counts changes by the counts, a dict of results by how many)."""
    if isinstance(container, dict):
        return sum(v if _number(v) else 1 for v in container.values())
    return len(container)


def _items(array):
    """An Array's or RawArray's items, without its lock."""
    return array.get_obj() if isinstance(array, SynchronizedArray) else array


def _line_text(lines, line):
    """The code on a line of the source, stripped, for a warning to quote; None if too long."""
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return text if 0 < len(text) <= 80 else None


def _cached(obj):
    """A function wrapped by functools.lru_cache (or cache)."""
    return callable(getattr(obj, "cache_info", None)) and callable(getattr(obj, "cache_clear", None))


def _kind(obj):
    if _cached(obj):
        return "cache"
    proxy = _proxy_kind(obj)
    if proxy:
        try:
            return proxy if (_number(obj.value) if proxy == "value" else len(obj) <= MAX_COPIED) else None
        except Exception:  # noqa: BLE001 - a manager that went away
            return None
    if isinstance(obj, Synchronized) and _number(obj.get_obj().value):
        return "value"
    if isinstance(obj, (SynchronizedArray, ctypes.Array)):
        items = _items(obj)
        return "array" if 0 < len(items) <= MAX_ITEMS and _number(items[0]) else None
    if isinstance(obj, ctypes._SimpleCData) and _number(obj.value):
        return "raw"
    container = _container_kind(obj)
    if container:
        # A bigger one is data the runs do not start over from (freshstate.py): not measured.
        return container if len(obj) <= MAX_COPIED else None
    return "global" if _number(obj) else None


def _tracked_in(module, target, user_names=frozenset()):
    """What of `module` to track; `user_names`: the names of the user's modules, whose classes'
    objects this module may hold (`from account import Account; bank = Account()`)."""
    path = getattr(module, "__file__", None)
    kinds = {name: _kind(obj) for name, obj in list(vars(module).items())}
    try:
        with open(path, "rb") as f:
            source = f.read()
        # Parsed only where something could be tracked: a project's modules may be many.
        if not any(kind not in (None, "global") for kind in kinds.values()) and b"global" not in source and not _has_objects(module, user_names):
            return []
        tree = ast.parse(source, path)
    except (OSError, TypeError, ValueError, SyntaxError):
        return []
    defined, updates, declared, withs = _sites(tree)
    here = target and path and os.path.realpath(target[0]) == os.path.realpath(path)
    function = _function_at(tree, target[1]) if here else None
    span = function and _span_of(function)
    reached, calls = _reached_spans(tree, _calls_in(function)) if function else ([], set())
    updated = {subject: _first_update(at, span, reached) for subject, at in updates.items()}
    lines = source.decode("utf-8", "replace").splitlines()

    def where(line):
        return {"file": path, "line": line} if line else None
    found = []
    for name, kind in kinds.items():
        if kind is None or (kind == "global" and name not in declared):
            continue
        if kind == "cache":
            # A memo its function fills: the calls only store into it. Pointed at by its decorator.
            code = getattr(getattr(vars(module)[name], "__wrapped__", None), "__code__", None)
            line = code.co_firstlineno if code and code.co_filename == path else None
            found.append(_Tracked(module, name, kind, where(line), where(line), None, False))
            continue
        if kind in CONTAINERS:
            read_modify_write = updated.get((name, "item"))
            update = read_modify_write or updated.get((name, "store")) or updated.get((name, "call"))
        else:
            read_modify_write = True
            update = updated.get((name, {"global": None, "array": "item"}.get(kind, "value")))
        if update is None:  # set, never updated from itself: no read-modify-write to race
            continue
        found.append(_Tracked(module, name, kind, where(defined.get(name)), where(update),
                              _line_text(lines, update), bool(read_modify_write),
                              _guard(module, withs, update, lines)))
    found.extend(_attributes_in(module, updates, (span, reached), calls, withs, defined, lines, where, user_names))
    return found


def _own_object(module, name, obj, user_names=frozenset()):
    """An object of a class of the module's own, or of another of the user's modules, held by a
    public module-level name."""
    home = type(obj).__module__
    return (not name.startswith("_") and not isinstance(obj, type) and hasattr(obj, "__dict__")
            and (home == module.__name__ or home in user_names))


def _user_module(obj, module, user_names):
    """Another of the user's modules, held by a name of this one (`import stats`)."""
    return isinstance(obj, types.ModuleType) and obj is not module and obj.__name__ in user_names


def _has_objects(module, user_names=frozenset()):
    return any(_own_object(module, name, obj, user_names) or _user_module(obj, module, user_names)
               for name, obj in list(vars(module).items()))


def _class_module_sites(module, calls):
    """The `self.x` updates and lock spans of another of the user's modules (where an object's
    class is declared), its lines, its file, and the spans of its methods that the names `calls`
    reach: (updates, withs, lines, path, reached), or None."""
    path = getattr(module, "__file__", None)
    try:
        with open(path, "rb") as f:
            source = f.read()
        tree = ast.parse(source, path)
    except (OSError, TypeError, ValueError, SyntaxError):
        return None
    _, updates, _, withs = _sites(tree)
    return updates, withs, source.decode("utf-8", "replace").splitlines(), path, _reached_spans(tree, calls)[0]


def _attributes_in(module, updates, reach, calls, withs, defined, lines, where, user_names=frozenset()):
    """The number attributes of module-level objects of the module's own classes that the code
    updates from themselves (`bank.balance += 1`, or `self.balance += amount` in a method): a
    process pool's workers each update a copy of the object of their own. Kind "attribute", named
    "bank.balance"; its update the one the profiled function makes or calls (`reach`: its span and
    those of the functions it calls; `calls`: every name called on the way, for the methods of a
    class another module declares), with the lock around it, `with self.lock:` too."""
    found = []
    elsewhere = {}  # the class's module, where another of the user's declares it: its sites, parsed once
    for name, obj in list(vars(module).items()):
        if _user_module(obj, module, user_names):
            # Another of the user's modules, whose globals this one updates (`stats.calls += 1`).
            for (subject, what), at in list(updates.items()):
                if subject == name and what and what.startswith("attr:") and _number(getattr(obj, what[5:], None)):
                    at = _first_update(at, *reach)
                    found.append(_Tracked(module, "%s.%s" % (name, what[5:]), "global", None, where(at),
                                          _line_text(lines, at), True, _guard(module, withs, at, lines)))
            continue
        if not _own_object(module, name, obj, user_names):
            continue
        home = type(obj).__module__
        if home != module.__name__ and home not in elsewhere:
            elsewhere[home] = _class_module_sites(sys.modules.get(home), calls)
        for attr, value in list(vars(obj).items())[:MAX_TRACKED]:
            if not _number(value):
                continue
            here = updates.get((name, "attr:" + attr), [])
            there = elsewhere.get(home)
            if there is None:  # a class of this module's (or one whose module cannot be read)
                sites = here + updates.get(("self", "attr:" + attr), [])
                if not sites:
                    continue
                at, at_withs, at_lines, at_where, at_module = _first_update(sites, *reach), withs, lines, where, module
            else:
                in_class = there[0].get(("self", "attr:" + attr), [])
                reached_here = _reached(here, *reach)
                if reached_here or (here and not in_class):
                    # This module's own update (`bank.balance += 1`), the profiled function's first.
                    at, at_withs, at_lines, at_where, at_module = min(reached_here or here), withs, lines, where, module
                elif in_class:
                    # The method's, in the module that declares the class (`self.balance += amount`):
                    # one the profiled function calls, where it calls one.
                    _, at_withs, at_lines, path, class_reached = there
                    at = min(_in_spans(in_class, class_reached) or in_class)
                    at_where = lambda line, path=path: {"file": path, "line": line}  # noqa: E731
                    at_module = sys.modules.get(home)
                else:
                    continue
            found.append(_Tracked(module, "%s.%s" % (name, attr), "attribute", where(defined.get(name)),
                                  at_where(at), _line_text(at_lines, at), True,
                                  _guard(at_module, at_withs, at, at_lines, obj)))
    return found


# Objects of the inputs looked at for a Value, an Array or a RawValue they hold.
MAX_INPUT_NODES = 10000


def _held_by_inputs(items):
    """The Values, Arrays and RawValues the inputs hold (in their tuples, lists and dicts), with
    their kinds, in the inputs' order."""
    found, seen, pending, budget = [], set(), list(reversed(items[:MAX_INPUT_NODES])), MAX_INPUT_NODES
    while pending and budget > 0:
        obj = pending.pop()
        budget -= 1
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (Synchronized, SynchronizedArray, ctypes.Array, ctypes._SimpleCData)):
            kind = _kind(obj)
            if kind in ("value", "array", "raw"):
                found.append((obj, kind))
        elif isinstance(obj, (tuple, list)):
            pending.extend(reversed(obj))
        elif isinstance(obj, dict):
            pending.extend(reversed(list(obj.values())))
    return found


def _tracked_in_inputs(items, modules, target, known):
    """The Values, Arrays and RawValues the inputs made or passed (`[(counter, 1000)] * 8`), which
    the profiled function updates through a parameter (`account.value += 1`): the threads share
    them. Each is named by that parameter; not those tracked already by a module's name (`known`)."""
    held = [(obj, kind) for obj, kind in _held_by_inputs(items) if id(obj) not in known]
    if not held or not target:
        return []
    path = os.path.realpath(target[0])
    module = next((m for m in modules if getattr(m, "__file__", None) and os.path.realpath(m.__file__) == path), None)
    if module is None:
        return []
    with open(module.__file__, "rb") as f:
        source = f.read()
    tree = ast.parse(source, module.__file__)
    function = _function_at(tree, target[1])
    if function is None:
        return []
    params = [a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs]
    _, updates, _, withs = _sites(tree)
    lines = source.decode("utf-8", "replace").splitlines()
    found = []
    for obj, kind in held:
        # The first update of a parameter in the function, as this kind of object is updated.
        sites = [(line, param) for param in params for line in updates.get((param, "item" if kind == "array" else "value"), [])
                 if function.lineno <= line <= function.end_lineno]
        if not sites:
            continue
        line, param = min(sites)
        if any(t.name == param for t in found):
            continue
        where = {"file": module.__file__, "line": line}
        found.append(_Tracked(module, param, kind, None, where, _line_text(lines, line), True,
                              _guard(module, withs, line, lines), obj=obj))
    return found


class SharedValues:
    """The shared numbers of the user's modules, as they were once the inputs were evaluated."""

    def __init__(self, modules, target=None, items=()):
        """`target`: the profiled function's (file, first line), whose own updates are the ones
        pointed at where other functions update the same value too; `items`: the inputs, whose
        Values the function may update through its parameters."""
        self.tracked = []
        user_names = frozenset(m.__name__ for m in modules)
        for module in modules:
            try:
                self.tracked.extend(_tracked_in(module, target, user_names))
            except Exception:  # noqa: BLE001 - an odd module object costs the lesson, not the profile
                pass
        try:
            self.tracked.extend(_tracked_in_inputs(items, modules, target, {id(t.obj) for t in self.tracked}))
        except Exception:  # noqa: BLE001 - as above
            pass
        del self.tracked[MAX_TRACKED:]

    def restore(self):
        for tracked in self.tracked:
            tracked.restore()

    @staticmethod
    def _own_copies(t, start_method):
        """Whether a process pool's workers each have a copy of it: always of a global or a
        container, and of a Value, an Array or a manager's proxy unless they were forked."""
        in_process_memory = (t.kind in ("global", "cache", "attribute") or t.kind in CONTAINERS) and not t.manager
        return start_method is not None and (in_process_memory or start_method != "fork")

    @staticmethod
    def _guard_event(t, start_method):
        """The lock the update is taken under, as the `guard` of its change: its kind, and whether
        it keeps the run's other workers out. A lock made at each call keeps out no one; a
        threading lock only its own process's threads; a multiprocessing one, in a process pool,
        only workers that were forked (and so share it)."""
        name, line, code, lock = t.guard
        # In the update's file: the module that declares an object's class, for its method's update.
        guard = {"location": {"file": t.update["file"] if t.update else t.module.__file__, "line": line}}
        if code:
            guard["code"] = code
        if lock is None:
            return dict(guard, kind="fresh", excludes=False)
        shared = shared_between_processes(lock)
        return dict(guard, kind=lock_kind(lock), name=name, excludes=start_method is None or (shared and start_method == "fork"))

    def copy_spec(self, start_method):
        """What a process pool's workers measure of their own copies (CopyWatch): (index, module,
        name, kind) of each value they do not share."""
        return [(i, t.module.__name__, t.name, t.kind) for i, t in enumerate(self.tracked)
                if self._own_copies(t, start_method)]

    def event(self, start_method=None, copies=()):
        """The `shared` field of a run's `counter` event: each one's change in the run that just
        ended. `start_method` is the process pool's: its workers update their own copies of a
        global, and of a Value unless they were forked; `copies` is what each worker told of its
        own (CopyWatch.changes)."""
        out = []
        for i, t in enumerate(self.tracked):
            now = t.read()
            if now is None:
                continue
            change = {"name": t.name, "kind": t.kind, "change": now - t.saved}
            if t.manager:
                change["manager"] = True
            if not t.read_modify_write:
                change["storesOnly"] = True
            if t.location:
                change["location"] = t.location
            if t.update:
                change["updateSite"] = t.update
            if t.code:
                change["updateCode"] = t.code
            if t.guard:
                change["guard"] = self._guard_event(t, start_method)
            if self._own_copies(t, start_method):
                change["ownCopies"] = True
                mine = [dict(told).get(i) for told in copies]
                if any(c is not None for c in mine):
                    change["copies"] = [c for c in mine if c is not None]
            out.append(change)
        return {"shared": out} if out else {}

