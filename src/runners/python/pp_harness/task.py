"""One call of the target: the outcome fields of a `task-end` event (status, error with the user's
file:line, digest and preview of the result)."""
import hashlib
import io
import itertools
import multiprocessing
import os
import pickle
import re
import reprlib
import threading
import traceback
import types

from .errors import TaskKilled, WorkerExit

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_HARNESS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Frames under these folders are the profiler's machinery, not the user's code.
_HIDDEN = (_HARNESS_DIR + os.sep, os.path.dirname(os.path.abspath(multiprocessing.__file__)) + os.sep,
           os.path.abspath(threading.__file__))


def hidden(filename):
    """Whether a frame's file belongs to the harness or to the start-up of a thread or process."""
    return os.path.abspath(filename).startswith(_HIDDEN)


def harness_file(filename):
    """Whether a frame's file is the harness's own."""
    return os.path.abspath(filename).startswith(_HARNESS_DIR + os.sep)


def children_cpu_ms():
    """CPU time of the child processes this process started and has waited for (a subprocess, a
    pool of the function's own), ms: their work is the calls' work too."""
    times = os.times()
    return (times.children_user + times.children_system) * 1000


def call(fn, item, spread):
    """Pool.map semantics (fn(item)) or Pool.starmap semantics (fn(*item)). An `async def` target's
    call runs to its end in an event loop of its own, in the worker that made it: a task is the
    whole call, as when the JS runner awaits an async function. A generator's values, or a lazy
    iterator's (`map(f, xs)`), are drawn into a list, as `list(fn(item))` would: the work is in
    drawing them."""
    result = fn(*item) if spread else fn(item)
    if type(result) in PLAIN_TAGS:  # most results: nothing more to do, at the least cost
        return result
    if isinstance(result, types.GeneratorType) or _lazy(result):
        # A generator does its work as its values are drawn, and `map(f, xs)` is work still to
        # do: the call draws them all, as a caller would.
        return list(result)
    if isinstance(result, (types.CoroutineType, types.AsyncGeneratorType)):
        # Only for async targets: importing asyncio costs a worker tens of milliseconds.
        from .loader import stdlib_module
        asyncio = stdlib_module("asyncio")
        ident = threading.get_ident()
        _AWAITING[ident] = result
        try:
            if isinstance(result, types.AsyncGeneratorType):
                return asyncio.run(_drawn(result))
            return asyncio.run(result)
        finally:
            _AWAITING.pop(ident, None)
    return result


#: The async call each thread runs in an event loop of its own, by thread: a hung one's thread
#: shows only the loop's wait, and the call's own frames tell where it awaits (stack_text).
_AWAITING = {}


def _awaiting_lines(ident):
    """The user's frames of the async call thread `ident` runs, outermost first, down to what its
    innermost one awaits (a Future nothing has set, a sleep): where a hung call waits."""
    lines = []
    awaited = _AWAITING.get(ident)
    for _ in range(50):
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "ag_frame", None) or getattr(awaited, "gi_frame", None)
        if frame is None:
            break
        code = frame.f_code
        if not hidden(code.co_filename):
            lines.append('  File "%s", line %s, in %s' % (code.co_filename, frame.f_lineno, code.co_name))
        nxt = getattr(awaited, "cr_await", None) or getattr(awaited, "ag_await", None) or getattr(awaited, "gi_yieldfrom", None)
        if nxt is None:
            break
        awaited = nxt
    if lines and awaited is not None and not hasattr(awaited, "cr_frame"):
        # An asyncio Future is awaited through its iterator, which says nothing of it.
        what = "an asyncio Future" if type(awaited).__name__ == "FutureIter" else "%.100s" % (repr(awaited),)
        lines.append("    awaiting %s (nothing has resolved it yet)" % what)
    return lines


def _lazy(result):
    """A builtin lazy iterator: map, filter, zip, enumerate, reversed, itertools' (not a file)."""
    kind = type(result)
    return kind.__module__ in ("builtins", "itertools") and hasattr(kind, "__next__")


async def _drawn(values):
    return [value async for value in values]


def canonical(value, depth=0):
    """A repr that is equal for equal results in any process (sets sorted, addresses removed)."""
    if depth > 20:
        return "..."
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(canonical(v, depth + 1) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(canonical(k, depth + 1) + ": " + canonical(v, depth + 1)
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(canonical(v, depth + 1) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(canonical(v, depth + 1) for v in value) + ")"
    if _plain_object(value):
        return type(value).__qualname__ + canonical(vars(value), depth + 1)
    try:
        text = repr(value)
    except BaseException:  # noqa: B902
        text = "<%s>" % type(value).__name__
    return _ADDRESS.sub("", text)


def _plain_object(value):
    """An instance of a class of the user's with attributes and no repr of its own: its repr would
    be its address, so its attributes stand for it."""
    return type(value).__repr__ is object.__repr__ and isinstance(getattr(value, "__dict__", None), dict)


#: Values whose pickle is the same for equal values in any process.
_SCALARS = frozenset((int, float, bool, str, bytes, type(None)))
_CONTAINERS = frozenset((list, tuple, dict))


def _plain_tree(value):
    """Whether `value` is a tree of lists, tuples and dicts of plain scalars: nothing whose pickle
    could differ between equal values (a set's order follows its strings' per-process hashes; an
    object pickles as its class decides), and no container met twice (a cycle, or shared parts that
    a pickle without memo would write out again and again). One level at a time, at C speed."""
    level = [value]
    seen = set()
    while level:
        kinds = set(map(type, level))
        if kinds <= _SCALARS:
            return True
        if not kinds <= _SCALARS | _CONTAINERS:
            return False
        containers = level if kinds.isdisjoint(_SCALARS) else [v for v in level if type(v) in _CONTAINERS]
        ids = set(map(id, containers))
        if len(ids) < len(containers) or not seen.isdisjoint(ids):
            return False
        seen |= ids
        if dict in kinds:
            only_dicts = not kinds & {list, tuple}
            dicts = containers if only_dicts else [c for c in containers if type(c) is dict]
            if not set(map(type, itertools.chain.from_iterable(dicts))) <= _SCALARS:
                return False
            containers = map(dict.values, dicts) if only_dicts else [c.values() if type(c) is dict else c for c in containers]
        level = list(itertools.chain.from_iterable(containers))
    return True


def plain_pickle(value):
    """Plain data's pickle without the memo (so shared references do not change it), or None for
    anything else: what its digest hashes, and a worker process may send as the result itself (it
    loads as any pickle), so a big result is pickled once, not twice."""
    if not _plain_tree(value):
        return None
    out = io.BytesIO()
    pickler = pickle.Pickler(out, 4)
    pickler.fast = True
    try:
        pickler.dump(value)
    except (ValueError, RecursionError, pickle.PicklingError):
        return None
    return out.getvalue()


def _fast_bytes(value, pickled=None):
    """Bytes that stand for `value`, made at C speed, or None: plain data as its plain_pickle
    (`pickled`, where made already), buffers (bytearray, array.array, NumPy arrays) as their format,
    shape and contents."""
    pickled = pickled if pickled is not None else plain_pickle(value)
    if pickled is not None:
        return b"p" + pickled
    if type(value) in (set, frozenset) and set(map(type, value)) <= _SCALARS:
        try:
            ordered = sorted(value)
        except TypeError:  # of mixed types: canonical() orders them by repr
            return None
        return type(value).__name__.encode() + _fast_bytes(ordered)
    try:
        view = memoryview(value)
        head = "%s %s %r:" % (type(value).__name__, view.format, view.shape)
        return b"m" + head.encode() + view.tobytes()
    except Exception:  # noqa: BLE001 - not a buffer, or one of objects (NumPy's dtype=object)
        return None


def digest(value, pickled=None):
    """First 16 hex chars of a sha1 of the result: equal results, equal digests. The digest is made
    between tasks, so plain data and buffers are hashed from bytes made at C speed (a million
    numbers: tens of ms); anything else from its canonical repr, walked in Python. `pickled`: the
    value's plain_pickle, where made already."""
    data = _fast_bytes(value, pickled)
    if data is None:
        data = b"c" + canonical(value).encode("utf-8", "replace")
    return hashlib.sha1(data).hexdigest()[:16]


class _ShortRepr(reprlib.Repr):
    """reprlib's bounded repr, with dicts in their own order, as repr shows them."""

    def repr_dict(self, x, level):
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = ["%s: %s" % (self.repr1(k, level - 1), self.repr1(v, level - 1))
                  for k, v in itertools.islice(x.items(), self.maxdict)]
        if len(x) > self.maxdict:
            pieces.append("...")
        return "{%s}" % ", ".join(pieces)

    def repr_instance(self, x, level):
        if not _plain_object(x):
            return reprlib.Repr.repr_instance(self, x, level)
        pieces = ["%s=%s" % (k, self.repr1(v, level - 1)) for k, v in itertools.islice(vars(x).items(), self.maxdict)]
        return "%s(%s)" % (type(x).__name__, ", ".join(pieces))


_SHORT = _ShortRepr()
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxfrozenset = _SHORT.maxdict = 10
_SHORT.maxstring = _SHORT.maxother = 80


def preview(value, limit=80):
    """The result's repr, cut to `limit` characters; a big container or string is not rendered
    whole first."""
    try:
        text = _SHORT.repr(value)
    except BaseException as e:  # noqa: B902
        text = "<unprintable %s: %s>" % (type(value).__name__, e)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def user_frames(tb):
    """Traceback frames outside the harness (the user's code and the libraries it calls)."""
    return [f for f in traceback.extract_tb(tb) if not os.path.abspath(f.filename).startswith(_HARNESS_DIR + os.sep)]


def describe_error(exc, user_file):
    """(message, errorLocation) for an exception raised by the task.

    The message names the exception and the innermost frame's file:line; the location is the
    innermost frame in the user's file, so the editor can point at it.
    """
    frames = user_frames(exc.__traceback__)
    text = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    if frames:
        last = frames[-1]
        text += " (%s:%s in %s)" % (os.path.basename(last.filename), last.lineno, last.name)
    location = None
    real = os.path.realpath(user_file)
    for f in reversed(frames):
        if os.path.realpath(f.filename) == real:
            location = {"file": user_file, "line": f.lineno}
            break
    return text, location


def outcome(fn, item, spread, user_file, crossing=False, clock=None):
    """Runs one call; returns (status, result, fields) where fields are task-end extras. `crossing`:
    in a worker process, whose exception a ProcessPoolExecutor would pickle to hand it back.
    `clock`: where given, a failed call's end is read from it as the exception arrives (fields'
    "ended": its end and CPU clock), before describing it, which walks the traceback and reads
    source lines: the profiler's time, not the call's."""
    try:
        result = call(fn, item, spread)
    except TaskKilled:
        raise
    except WorkerExit as e:
        return "crashed", None, {"error": "os._exit(%s) called in a thread: in a thread pool it would "
                                           "end the whole program" % (e.code,)}
    except BaseException as e:  # noqa: B902 - SystemExit, KeyboardInterrupt from user code too
        ended = clock() if clock else None
        message, location = describe_error(e, user_file)
        fields = {"error": message + ((crossing and crossing_note(e)) or "")}
        if ended is not None:
            fields["ended"] = ended
        if location:
            fields["errorLocation"] = location
        return "error", None, fields
    return "ok", result, {}


def crossing_note(error):
    """Why a ProcessPoolExecutor could not hand `error` back to the caller, if it could not: it
    pickles the exception in the worker and unpickles it in the parent. An exception class whose
    __init__ takes other arguments than it gives Exception.__init__ pickles, but does not unpickle
    (pickle calls the class with `args`): the parent's result thread then fails, and the whole pool
    with it, as if a worker had died."""
    try:
        data = pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # noqa: BLE001 - pickling raises many kinds
        return ("; in a ProcessPoolExecutor this exception cannot be sent back (pickling it fails: %s: %s), so "
                "future.result() raises that error instead of this one; keep what cannot be pickled out of the "
                "exception" % (type(e).__name__, e))
    try:
        pickle.loads(data)
    except Exception as e:  # noqa: BLE001
        fix = "pass every argument of %s.__init__ on, %s, or give the class a __reduce__" % (
            type(error).__name__, _super_call(type(error)))
        return "; in a ProcessPoolExecutor this exception cannot be sent back: " + unpickling_failed(e, fix)
    return None


def unpickling_failed(error, fix):
    """What a ProcessPoolExecutor makes of a result or exception that pickles in the worker but
    does not unpickle in the parent (raising `error` there), and the fix."""
    return ("unpickling it fails (%s: %s), and that breaks the whole pool (BrokenProcessPool: \"A process in the "
            "process pool was terminated abruptly\"); %s" % (type(error).__name__, error, fix))


def recreate_fix(what, verb):
    """The fix for an input or result (`what`) that pickles but does not unpickle: `verb` plain
    data instead ("pass" an input, "return" a result)."""
    return ("give the %s's class a __reduce__ that recreates it whole (an exception class: pass every argument "
            "of its __init__ on to super().__init__()), or %s plain data" % (what, verb))


def _super_call(cls):
    """`super().__init__(field, value)`: the call that passes on each argument of cls.__init__."""
    import inspect
    try:
        names = [p.name if p.kind is not p.VAR_POSITIONAL else "*" + p.name
                 for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):
        names = []
    return "super().__init__(%s)" % ", ".join(names)


#: Results that are their own description, with a tag per type: 42 and 42.0 and "42" differ.
PLAIN_TAGS = {int: "i", float: "f", bool: "b", type(None): "N", str: "s"}


def result_fields(result, pickled=None):
    """digest and resultPreview of a successful call. A short plain value's digest is its tagged
    repr (as in the JS runner): no hashing per task, which tiny tasks in threads pay for twice.
    `pickled`: the result's plain_pickle, where made already."""
    tag = PLAIN_TAGS.get(type(result))
    if tag is not None:
        text = repr(result)
        if len(text) <= 38:
            return {"digest": tag + ":" + text, "resultPreview": text}
    return {"digest": digest(result, pickled), "resultPreview": preview(result)}


def stack_text(frame, limit=30, ident=None):
    """The user's part of a frame's stack, innermost last; for thread `ident` running an async
    call, that call's frames after it, where it awaits."""
    lines = []
    for entry in traceback.extract_stack(frame, limit=limit):
        # threading's and multiprocessing's frames are the start-up of a thread or process before
        # the user's code, but what it waits in after it (an Event's wait(), a Barrier's).
        if harness_file(entry.filename) or (not lines and hidden(entry.filename)):
            continue
        lines.append('  File "%s", line %s, in %s' % (entry.filename, entry.lineno, entry.name))
        if entry.line:
            lines.append("    " + entry.line)
    if ident in _AWAITING:
        lines.extend(_awaiting_lines(ident))
    return "\n".join(lines) if lines else "(in the profiler's harness)"
