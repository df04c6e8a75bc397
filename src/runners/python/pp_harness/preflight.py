"""Before a process pool starts: can the function and every input cross a process boundary?

A lambda, a nested function or an unpicklable argument would make a real pool hang or crash;
here it fails the processes strategy with the cause and the fix, and the other strategies run.
"""
import os
import pickle
import sys
import sysconfig
import time

from .loader import same_file


def check_function(fn, name):
    """None if `fn` can be sent to worker processes, else a message naming cause and fix."""
    qualname = getattr(fn, "__qualname__", "") or ""
    try:
        pickle.dumps(fn, protocol=pickle.HIGHEST_PROTOCOL)
        return None
    except Exception as e:  # noqa: BLE001 - pickling raises many kinds
        reason = "%s: %s" % (type(e).__name__, e)
    if getattr(fn, "__name__", "") == "<lambda>":
        cause = "%r is a lambda, which worker processes cannot import" % name
    elif "<locals>" in qualname:
        cause = "%r is a nested function (%s), which worker processes cannot import" % (name, qualname)
    else:
        cause = "%r cannot be pickled to send it to worker processes (%s)" % (name, reason)
    return ("processes strategy skipped: %s; fix: define the function at module top level with "
            "`def %s(...)`" % (cause, name.split(".")[-1]))


def pickle_inputs(items):
    """(payloads, milliseconds per input) or raises ValueError naming the first unpicklable input."""
    payloads, times = [], []
    for i, item in enumerate(items):
        t0 = time.perf_counter()
        try:
            payloads.append(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as e:  # noqa: BLE001
            if "through inheritance" in str(e):
                # multiprocessing's own objects: a Value, an Array, a Lock, a Queue.
                raise ValueError("processes strategy skipped: input %d (%s) holds a multiprocessing object (a Value, "
                                 "an Array, a Lock or a Queue), which a process pool cannot send with a task: worker "
                                 "processes can only inherit one; fix: make it at module level, before the pool "
                                 "(forked workers inherit it), or hand it to every worker once "
                                 "(ProcessPoolExecutor(initializer=…, initargs=(…,))), and pass plain data"
                                 % (i, type(item).__name__))
            raise ValueError("processes strategy skipped: input %d (%s) cannot be pickled to send it to a "
                             "worker process (%s: %s); fix: pass plain data (numbers, strings, lists, "
                             "dicts) and create resources such as files or locks inside the function"
                             % (i, type(item).__name__, type(e).__name__, e))
        times.append((time.perf_counter() - t0) * 1000)
    return payloads, times


def shadowed_module(path, method, folders):
    """None unless worker processes started with `method` would import a file of the user's in place
    of a standard module that Python or the harness has loaded (a threading.py, a select.py): they
    start with the working folder first on their path, then the user's folders. A forked worker has
    its modules already."""
    if method == "fork":
        return None
    stdlib = {os.path.realpath(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")}
    for folder in dict.fromkeys(os.path.realpath(f) for f in folders):
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".py"))
        except OSError:
            continue
        for name in names:
            loaded = sys.modules.get(name[:-3])
            where = os.path.realpath(getattr(loaded, "__file__", None) or "")
            if loaded is None or not any(where.startswith(d + os.sep) for d in stdlib):
                continue
            shown = name if same_file(os.path.join(folder, name), path) else os.path.join(folder, name)
            return ("processes strategy skipped: %s has the name of a standard module, and worker "
                    "processes started with %r would import it in that module's place (the working "
                    "folder and yours come first on their path, as for your own ProcessPoolExecutor); "
                    "fix: rename the file, e.g. %s_demo.py" % (shown, method, name[:-3]))
    return None

