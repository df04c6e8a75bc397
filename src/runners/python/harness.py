"""Parallel Profiler's Python harness: `python -u harness.py` with PP_RUNNER_OPTIONS set.

Runs one function of the user's module sequentially, in a thread pool and in a process pool, and
writes the runner protocol's events as JSON lines to file descriptor 3. Standard library only,
Python >= 3.8. (The `__main__` guard matters: spawned workers re-import this file.)
"""
import os
import sys

if __name__ == "__main__":
    if sys.version_info < (3, 8):
        message = "Python %d.%d is too old; fix: choose Python 3.8 or newer (--python)" % sys.version_info[:2]
        try:
            os.write(3, ('{"type":"fatal","message":"%s"}\n' % message).encode())
        except OSError:
            sys.stderr.write(message + "\n")
        sys.exit(2)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from pp_harness.main import main

    main()
