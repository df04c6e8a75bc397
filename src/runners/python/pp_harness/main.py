"""The harness's top level: reads PP_RUNNER_OPTIONS, loads the target, evaluates the inputs, runs
each strategy `repeat` times and streams events (hello, inputs, runs, done) to fd 3.

Bad input ends with one `fatal` event and exit code 2; user code never sees a traceback of ours.
"""
import inspect
import json
import multiprocessing
import os
import platform
import signal
import sys
import tempfile
import warnings

from .commands import Commands
from .errors import UserInputError
from .events import Emitter

EXIT_BAD_INPUT = 2
STRATEGIES = ("sequential", "threads", "processes")


def runtime_description():
    """e.g. 'CPython 3.11.7 (main, Dec  8 2023, 14:22:46) [GCC 12.2.0]'."""
    build = sys.version.split("\n")[0]
    rest = build[len(platform.python_version()):].strip()
    return "%s %s %s" % (platform.python_implementation(), platform.python_version(), rest)


class Profile:
    """What every run of one profile shares: the target, its inputs and the event channel."""

    def __init__(self, emitter, commands, options):
        self.emitter = emitter
        self.commands = commands
        self.options = options
        self.file = os.path.abspath(options["file"])
        self.name = options["name"]
        self.spread = bool(options.get("spread"))
        self.timeout_ms = int(options.get("taskTimeoutMs") or 0)
        self.scratch_dir = options.get("scratchDir") or tempfile.gettempdir()
        self.fn = None
        self.fn_site = None
        from .sharedvalues import SharedValues
        self.shared_values = SharedValues([])
        #: The user's own locks, wrapped (ownlocks.py), by name.
        self.own_locks = {}
        self.items = []
        self.mp = None
        self.fn_bytes = None
        self.payloads = None
        self.payload_ms = None
        self._preflight = None

    def load(self):
        from .loader import evaluate_inputs, find_function, load_module
        module = load_module(self.file)
        self.fn = find_function(module, self.file, self.name)
        code = getattr(self.fn, "__code__", None)
        if code is not None and os.path.realpath(code.co_filename) == os.path.realpath(self.file):
            self.fn_site = {"file": self.file, "line": code.co_firstlineno}
        self.items = evaluate_inputs(module, self.options.get("inputs", ""), self.spread)

    def warn(self, kind, strategy, message, location=None, details=None):
        """A runner-side `warning` event."""
        warning = {"kind": kind, "message": message}
        if strategy:
            warning["strategy"] = strategy
        if location:
            warning["location"] = location
        if details:
            warning["details"] = details
        self.emitter.emit({"type": "warning", "warning": warning})

    def warn_crash(self, strategy, message, index):
        self.warn("crash", strategy, "task %d: %s" % (index, message), self.fn_site)

    def log(self, message):
        self.emitter.emit({"type": "log", "message": message})

    def process_preflight(self):
        """None if the processes strategy can run, else the reason (also sent as a warning)."""
        if self._preflight is None:
            from .loader import package_of
            from .preflight import check_function, pickle_inputs, shadowed_module
            import pickle
            problem = check_function(self.fn, self.name)
            if problem is None:
                try:
                    self.payloads, self.payload_ms = pickle_inputs(self.items)
                    self.fn_bytes = pickle.dumps(self.fn, protocol=pickle.HIGHEST_PROTOCOL)
                except ValueError as e:
                    problem = str(e)
            if problem is None:
                method = self.options.get("startMethod") or None
                try:
                    self.mp = multiprocessing.get_context(method)
                except ValueError:
                    problem = ("processes strategy skipped: start method %r is not available on this "
                               "platform; fix: use one of %s"
                               % (method, ", ".join(multiprocessing.get_all_start_methods())))
            if problem is None:
                folders = [os.getcwd(), os.path.dirname(self.file), package_of(self.file)[0]]
                problem = shadowed_module(self.file, self.mp.get_start_method(), folders)
            self._preflight = problem or ""
            if problem:
                self.warn("error", "processes", problem, self.fn_site)
        return self._preflight or None


def _options():
    raw = os.environ.get("PP_RUNNER_OPTIONS")
    if not raw:
        raise UserInputError("PP_RUNNER_OPTIONS is not set; fix: start the harness through parallel-profiler")
    try:
        options = json.loads(raw)
    except ValueError as e:
        raise UserInputError("PP_RUNNER_OPTIONS is not valid JSON (%s)" % e)
    for key in ("file", "name"):
        if not options.get(key):
            raise UserInputError("PP_RUNNER_OPTIONS lacks %r" % key)
    unknown = [s for s in options.get("strategies") or [] if s not in STRATEGIES]
    if unknown:
        raise UserInputError("unknown strategy %s; fix: use %s" % (", ".join(unknown), ", ".join(STRATEGIES)))
    return options


def _finish(code):
    """Flush and leave at once: threads stuck in user code must not keep the harness alive."""
    for c in multiprocessing.active_children():
        c.kill()
        c.join(1.0)
    for stopper in ("multiprocessing.forkserver", "multiprocessing.resource_tracker"):
        module = sys.modules.get(stopper)
        instance = getattr(module, "_forkserver", None) or getattr(module, "_resource_tracker", None)
        stop = getattr(instance, "_stop", None)
        if stop is not None:
            try:
                stop()
            except Exception:  # noqa: BLE001
                pass
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001
        pass
    os._exit(code)


def main():
    """Runs one profile from PP_RUNNER_OPTIONS; never returns. A bug of ours is one `fatal` line
    (exit 1), never a traceback in the user's output."""
    emitter = Emitter()
    try:
        _profile(emitter)
    except BaseException as e:  # noqa: B902
        import traceback
        where = traceback.extract_tb(e.__traceback__)[-1:] or [None]
        at = " at %s:%s" % (os.path.basename(where[0].filename), where[0].lineno) if where[0] else ""
        emitter.emit({"type": "fatal", "message": "the profiler's Python harness failed: %s: %s%s; "
                      "please report this" % (type(e).__name__, e, at)})
        _finish(1)


def _profile(emitter):
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="multiprocessing")
    emitter.emit({"type": "hello", "originEpochMs": emitter.origin_ns / 1e6, "pid": os.getpid(),
                  "runtime": runtime_description(), "platform": sys.platform,
                  "cpus": os.cpu_count() or 1,
                  "gil": sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else None})
    commands = Commands()
    # stdin carries the controller's commands: user code reading it (input()) gets end-of-file.
    sys.stdin = open(os.devnull)
    # The controller cancels over stdin: a signal comes from outside, or from the profiled code
    # itself (os.kill of its own process), which the report must say, not just "cancelled".
    signalled = []

    def on_signal(signum, _frame):
        signalled.append(signal.Signals(signum).name)
        commands.push({"type": "cancel", "reason": "signal"})
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    # The harness's own modules load before the user's folder goes first on sys.path, where a
    # math.py or signal.py of the user's would stand in for the standard one they import.
    from .freshstate import InputState, ModuleState, user_modules
    from .ownlocks import OwnLocks
    from .procpool import ProcessRun
    from .sharedvalues import SharedValues
    from .threadbackend import guarded_exit
    from .threadpool import ThreadRun
    from . import loader, preflight  # noqa: F401 - loaded now for the same reason
    try:
        options = _options()
        profile = Profile(emitter, commands, options)
        try:
            os.makedirs(profile.scratch_dir, exist_ok=True)
        except OSError:
            profile.scratch_dir = tempfile.gettempdir()
        profile.load()
    except UserInputError as e:
        emitter.emit({"type": "fatal", "message": str(e)})
        _finish(EXIT_BAD_INPUT)
    emitter.emit({"type": "inputs", "count": len(profile.items)})
    modules = user_modules(profile.file)
    own_locks = OwnLocks(modules)
    own_locks.wrap()
    profile.own_locks = own_locks.by_name
    if own_locks.by_name:
        emitter.emit(own_locks.event())
    module_state = ModuleState(modules)
    code = getattr(inspect.unwrap(profile.fn), "__code__", None)
    profile.shared_values = SharedValues(modules, code and (code.co_filename, code.co_firstlineno), profile.items)
    input_state = InputState(profile.items, modules)

    os._exit = guarded_exit

    workers = int(options.get("workers") or 0) or os.cpu_count() or 1
    repeat = max(1, int(options.get("repeat") or 1))
    run = 0
    for strategy in options.get("strategies") or list(STRATEGIES):
        for rep in range(repeat):
            if commands.cancelled or emitter.broken:
                break
            if strategy == "processes":
                runner = ProcessRun(profile, run, workers, rep)
            else:
                runner = ThreadRun(profile, run, strategy, workers, rep)
            module_state.restore()
            profile.shared_values.restore()
            input_state.restore()
            own_locks.wrap()
            runner.execute()
            run += 1
            if signalled:
                profile.warn("crash", strategy, "the harness received %s during the %s run and cancelled the "
                             "profile: it came from outside, or from the profiled code itself (os.kill of its "
                             "own process: the sequential and threads runs share the harness's process)"
                             % (signalled[0], strategy), profile.fn_site)
                break
    emitter.emit({"type": "done"})
    _finish(0)
