"""Stacks of a worker process stuck where Python cannot answer (e.g. a regex holding the GIL):
faulthandler dumps every thread from a signal handler into a file that the harness reads."""
import faulthandler
import os
import signal

from .task import hidden

SIGNAL = getattr(signal, "SIGUSR1", None)


def arm(path):
    """In the worker: dump all threads' stacks to `path` on SIGUSR1. Returns the open file."""
    if SIGNAL is None:
        return None
    try:
        f = open(path, "a")
        faulthandler.register(SIGNAL, file=f, all_threads=True, chain=False)
        return f
    except (OSError, ValueError, RuntimeError):
        return None


def request(pid, path):
    """In the harness: empty the file, then ask the worker for a dump."""
    if SIGNAL is None:
        return
    try:
        open(path, "w").close()
        os.kill(pid, SIGNAL)
    except OSError:
        pass


def read(path, thread_ident):
    """The dumped stack of one thread, outermost call first, without the harness's frames."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    wanted = "0x%016x" % thread_ident
    for section in text.split("\n\n"):
        lines = section.strip().splitlines()
        if not lines or wanted not in lines[0]:
            continue
        frames = [l for l in lines[1:] if l.strip().startswith('File "')
                  and not hidden(l.strip()[6:].split('"')[0])]
        frames.reverse()
        return "\n".join(l.rstrip() for l in frames) or None
    return None
