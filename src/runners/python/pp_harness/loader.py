"""Loads the user's module by path (its `__main__` block does not run), finds the target function
and evaluates the inputs expression in the module's namespace. Every failure is one clear line."""
import ast
import importlib
import importlib.util
import inspect
import os
import sys
import threading
import traceback

from .errors import UserInputError


def package_of(path):
    """(the folder that holds the file's top package, ["pkg", "sub"]) for a file inside regular
    packages (folders with an __init__.py), so that `from .x import y` works as under `python -m
    pkg.sub.mod`; (the file's folder, []) for a file that is in none."""
    folder = os.path.dirname(os.path.abspath(path))
    packages = []
    while os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.basename(folder).isidentifier():
        packages.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    return folder, packages


def same_file(a, b):
    """Whether two paths name one file (links resolved); False for a missing one."""
    return bool(a) and os.path.realpath(a) == os.path.realpath(b)


def innermost_in(frames, path):
    """The innermost of `frames` (traceback summaries, outermost first) in the file `path`, or None."""
    return next((frame for frame in reversed(frames) if same_file(frame.filename, path)), None)


def _user_frame(tb, path):
    """(file, line) of the innermost traceback frame in the user's file, else the innermost one."""
    frames = traceback.extract_tb(tb)
    frame = innermost_in(frames, path) or (frames[-1] if frames else None)
    return (frame.filename, frame.lineno) if frame else None


def _import_packages(root, packages):
    """Imports the file's enclosing packages from `root` (their __init__ runs, as Python's would);
    False when a module of the same name from elsewhere is already loaded."""
    for depth in range(1, len(packages) + 1):
        name = ".".join(packages[:depth])
        folder = os.path.join(root, *packages[:depth])
        loaded = sys.modules.get(name)
        if loaded is not None:
            if folder not in [os.path.abspath(p) for p in getattr(loaded, "__path__", [])]:
                return False
            continue
        spec = importlib.util.spec_from_file_location(
            name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        try:
            spec.loader.exec_module(package)
        except BaseException:
            del sys.modules[name]
            raise
    return True


def _free_name(stem, path):
    """`stem`, or an alias when that is the name of another module (a file called threading.py or
    queue.py): imported as `stem` it would replace the standard module the harness itself uses.
    The same in every process, so worker processes find the function under the same name."""
    loaded = sys.modules.get(stem)
    elsewhere = loaded is not None and not same_file(getattr(loaded, "__file__", None), path)
    if elsewhere or stem in getattr(sys, "stdlib_module_names", ()):
        return "_pp_user_" + stem
    return stem


def load_module(path):
    """Imports the file as `python -c 'import stem'` would with its folder on sys.path; a file inside
    packages as `import pkg.mod` would, with the folder above the top package on sys.path too."""
    if not os.path.isfile(path):
        raise UserInputError("file not found: %s; fix: check the path of the file to profile" % path)
    base = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            source = f.read()
        compile(source, path, "exec")
    except SyntaxError as e:
        raise UserInputError("syntax error in %s:%s: %s; fix the code and profile again"
                             % (base, e.lineno, e.msg))
    except (OSError, ValueError) as e:
        raise UserInputError("cannot read %s: %s" % (path, e))
    folder = os.path.dirname(os.path.abspath(path))
    root, packages = package_of(path)
    for entry in (root, folder):
        if entry not in sys.path:
            sys.path.insert(0, entry)
            _user_entries.add(entry)
    stem = os.path.splitext(os.path.basename(path))[0]
    name = ".".join(packages + [stem]) if packages else _free_name(stem, path)
    existing = sys.modules.get(name)
    if existing is not None and same_file(getattr(existing, "__file__", None), path):
        return existing
    module = None
    try:
        if packages and not _import_packages(root, packages):
            name = _free_name(stem, path)  # a package of that name from elsewhere is loaded: import the file alone
        spec = importlib.util.spec_from_file_location(name, os.path.abspath(path))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    except BaseException as e:  # noqa: B902 - user code may raise anything, even SystemExit
        if module is not None:
            del sys.modules[name]
        where = _user_frame(e.__traceback__, path)
        at = " at %s:%s" % (os.path.basename(where[0]), where[1]) if where else ""
        location = {"file": os.path.abspath(where[0]), "line": where[1]} if where else None
        if isinstance(e, ImportError) and "relative import" in str(e):
            raise UserInputError("importing %s failed: %s: %s%s; fix: a relative import needs the file's "
                                 "folder to be a package: add an __init__.py to it (or import absolutely)"
                                 % (base, type(e).__name__, e, at), location)
        if isinstance(e, ImportError):
            raise UserInputError("importing %s failed: %s: %s%s; fix: install the missing module for %s, "
                                 "or choose another interpreter (--python)"
                                 % (base, type(e).__name__, e, at, sys.executable), location)
        raise UserInputError("importing %s raised %s: %s%s; fix: module top-level code must run "
                             "without errors (put scripts under `if __name__ == \"__main__\":`)"
                             % (base, type(e).__name__, e, at), location)
    return module


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _top_level(path):
    """The file's top-level statements, or none if it cannot be read or parsed."""
    try:
        with open(path, "rb") as f:
            return ast.parse(f.read()).body
    except (OSError, SyntaxError, ValueError):
        return []


def _where_nested(statements, name):
    """('class C (line 4)', 'C') or ('function f (line 9)', None) when `name` is defined only
    inside a top-level class or function: a method (of a class the name can go through) or a
    nested function; else None."""
    for top in statements:
        if not isinstance(top, (ast.ClassDef,) + _DEFS):
            continue
        for node in ast.walk(top):
            if node is not top and isinstance(node, _DEFS) and node.name == name:
                kind = "class" if isinstance(top, ast.ClassDef) else "function"
                method = top.name if kind == "class" and node in top.body else None
                return "%s %s (line %d)" % (kind, top.name, node.lineno), method
    return None


def find_function(module, path, name):
    """The callable `name` of the module, or a one-line error listing the functions found. A
    dotted name is a method or a function inside a top-level object (`Shape.area`, an instance
    method, which then takes its object as the first argument)."""
    fn = module
    for part in name.split("."):
        fn = getattr(fn, part, None)
    if fn is None:
        statements = _top_level(path)
        found = [n.name for n in statements if isinstance(n, _DEFS)]
        listed = ", ".join(found) if found else "none"
        nested = _where_nested(statements, name)
        where = ("; %r is defined inside %s: profile a top-level function that calls it%s"
                 % (name, nested[0], "" if nested[1] is None else
                    ", or name the method %s.%s" % (nested[1], name)) if nested else "")
        raise UserInputError("no function %r in %s%s; functions found: %s"
                             % (name, os.path.basename(path), where, listed))
    if not callable(fn):
        raise UserInputError("%r in %s is a %s, not a function; fix: name a top-level function"
                             % (name, os.path.basename(path), type(fn).__name__))
    import_asyncio_for(fn)
    return fn


def import_asyncio_for(fn):
    """asyncio, imported now for an `async def` target, whose calls run in its event loops: as a
    program imports it at start-up, not in the first call's time (~60 ms, a warm-up of ours)."""
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        stdlib_module("asyncio")


def stdlib_module(name):
    """A module of Python's own imported after the user's folders went on sys.path, with them left
    out: a user's asyncio.py or inspect.py beside the target must not stand in for it. Two pool
    threads' first async calls ask at once: one at a time, and never a module still being imported
    (it is in sys.modules half made), nor sys.path put back by one thread as the other left it."""
    module = sys.modules.get(name)
    if module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False):
        return module
    with _stdlib_lock:
        saved = sys.path[:]
        sys.path[:] = [entry for entry in saved if entry not in _user_entries]
        try:
            return importlib.import_module(name)
        finally:
            sys.path[:] = saved


_stdlib_lock = threading.RLock()


# The folders load_module put on sys.path.
_user_entries = set()


def _settled(value):
    """The inputs themselves when the expression gave an awaitable (an async loader's coroutine) or
    an async generator: awaited, or read to the end, in an event loop of their own."""
    if inspect.isawaitable(value):
        asyncio = stdlib_module("asyncio")

        async def wait():
            return await value
        value = asyncio.run(wait())
    if hasattr(value, "__aiter__") and not hasattr(value, "__iter__"):
        asyncio = stdlib_module("asyncio")

        async def collect():
            return [item async for item in value]
        value = asyncio.run(collect())
    return value


def evaluate_inputs(module, expression, spread):
    """Evaluates the inputs expression in the module's namespace into a list of tasks' inputs."""
    if not expression or not expression.strip():
        raise UserInputError("no inputs expression; fix: pass --inputs, e.g. \"[1, 2, 3]\" or \"range(8)\"")
    try:
        # `await` is allowed (e.g. "await load()"): the expression then gives a coroutine.
        code = compile(expression.strip(), "<inputs>", "eval", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as e:
        raise UserInputError("the inputs expression is not valid Python: %s (column %s); fix: "
                             "write a Python expression such as \"[1, 2, 3]\"" % (e.msg, e.offset))
    try:
        value = _settled(eval(code, vars(module)))
    except BaseException as e:  # noqa: B902
        raise UserInputError("the inputs expression raised %s: %s; fix the expression"
                             % (type(e).__name__, e))
    try:
        items = list(value)
    except BaseException as e:  # noqa: B902
        raise UserInputError("the inputs expression gave a %s, which is not iterable (%s); fix: give a "
                             "list, e.g. \"[1, 2, 3]\"" % (type(value).__name__, e))
    if not items:
        raise UserInputError("the inputs expression gave no inputs; fix: give at least one input")
    if spread:
        tasks = []
        for i, item in enumerate(items):
            if isinstance(item, (str, bytes, dict)) or not hasattr(item, "__iter__"):
                raise UserInputError("with spread each input must be a tuple or list of arguments, but "
                                     "input %d is %s %r; fix: give e.g. \"[(2, 3), (4, 5)]\" or turn "
                                     "spread off" % (i, type(item).__name__, item))
            tasks.append(tuple(item))
        return tasks
    return items
