"""What keeps a process-pool worker from exiting once its tasks are done, read inside the worker as
it leaves (procworker.py), for the harness to tell when the worker has not exited in time
(procpool.py). A real pool's shutdown would wait for it forever:

- a module-level multiprocessing Queue its calls put items on that nobody took: a process that put
  items on a Queue waits, as it exits, until its feeder thread has written them all into the pipe,
  which holds only 64 KB (the "joining processes that use queues" pitfall of the docs);
- a thread its calls started that is not a daemon thread and still runs: a process waits for such
  threads as it exits."""
import ast
import threading
from multiprocessing import queues

from .sharedvalues import module_assignments


def _definitions(module):
    """Where each module-level name is assigned: name -> line."""
    try:
        with open(module.__file__, "rb") as f:
            return module_assignments(ast.parse(f.read()))
    except (OSError, TypeError, ValueError, SyntaxError):
        return {}


def _full_queues(modules):
    found = []
    for module in modules:
        named = [(name, q) for name, q in list(vars(module).items())
                 if isinstance(q, queues.Queue) and len(getattr(q, "_buffer", ())) > 0]
        if not named:
            continue
        lines = _definitions(module)
        for name, q in named:
            where = {"file": module.__file__, "line": lines[name]} if name in lines else None
            found.append({"what": "queue", "name": name, "items": len(q._buffer), "location": where})
    return found


def _running_threads():
    found = []
    for thread in threading.enumerate():
        if thread.daemon or thread is threading.main_thread() or not thread.is_alive():
            continue
        # What it runs: its target, or the run method of a Thread subclass.
        code = getattr(getattr(thread, "_target", None), "__code__", None) or getattr(type(thread).run, "__code__", None)
        where = {"file": code.co_filename, "line": code.co_firstlineno} if code else None
        found.append({"what": "thread", "name": thread.name, "runs": getattr(code, "co_name", None), "location": where})
    return found


def what_keeps_alive(modules):
    """The queues holding items nobody took and the non-daemon threads still running, as dicts
    (`what`: "queue" or "thread", `name`, `location`), in that order."""
    try:
        return _full_queues(modules) + _running_threads()
    except Exception:  # noqa: BLE001 - a guess at a cause must not cost the worker its goodbye
        return []


def linger_message(seconds, causes):
    """The warning for a worker that did not exit `seconds` after its last task, and where to look."""
    first = causes[0] if causes else None
    def at(cause):
        where = cause.get("location")
        return " at %s:%d" % (where["file"], where["line"]) if where else ""
    if first and first["what"] == "queue":
        why = ("its calls put items on the multiprocessing Queue %s (made%s) that nobody took (%d still waiting to go into "
               "its pipe): a process that put items on a Queue waits, as it exits, until they are all in the pipe, "
               "which holds only 64 KB; fix: take the items from the queue in the parent while the pool runs, or "
               "return each call's values instead of putting them on a queue"
               % (first["name"], at(first), first["items"]))
    elif first:
        runs = " (running %s%s)" % (first["runs"], at(first)) if first.get("runs") else at(first)
        why = ("its calls started the thread %r%s, which is not a daemon thread and was still running: a process "
               "waits for such threads as it exits; fix: end the thread before the call returns (join it), or start "
               "it with daemon=True" % (first["name"], runs))
    else:
        why = ("something its calls left behind keeps it alive (a thread that is not a daemon thread, a child "
               "process, or items put on a multiprocessing Queue that nobody took)")
    return ("processes: a worker process did not exit within %g s of its last task and was stopped — a real pool's "
            "shutdown would wait for it forever: %s" % (seconds, why)), (first or {}).get("location")
