"""The main function of a process-pool worker: loads the user's module, then runs the tasks the
harness sends one at a time, answering with start / end / lock / stacks messages on its pipe."""
import os
import pickle
import sys
import threading
import time

from .events import clock_ms


def _die_with_parent():
    """Linux: get SIGKILL when the parent dies; elsewhere a watcher thread polls the parent pid."""
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass


def _control(ctl, send, state, parent_pid, own_locks, backend, now):
    """Answers `stacks` and `waits` requests while the main thread runs user code; exits with the
    parent. Before the stack, what the main thread holds and waits for among the user's locks, read
    from it (lockwaits.py), goes out as lock events: a deadlock of locks taken unwrapped (hot)
    between workers is then found as one. A stalled run's harness asks for `waits` alone, to look
    for such a deadlock itself (procpool.py). `own_locks`: the user's locks by name
    (ownlocks.OwnLocks)."""
    from . import task as tasks
    main_ident = threading.main_thread().ident
    while True:
        try:
            if not ctl.poll(0.5):
                if os.getppid() != parent_pid:
                    os._exit(1)
                continue
            message = ctl.recv()
        except (EOFError, OSError):
            os._exit(1)
        if message == "stacks":
            frame = sys._current_frames().get(main_ident)
            if frame is not None and state["task"] is not None and own_locks:
                _tell_own_lock_waits(frame, state["task"], own_locks, backend, send, now)
            send(("stacks", state["task"], tasks.stack_text(frame, ident=main_ident) if frame is not None else None))
        elif message == "waits":
            frame = sys._current_frames().get(main_ident)
            task = state["task"]
            held, waited = _own_waits(frame, own_locks, backend) if frame is not None and task is not None else ([], None)
            send(("waits", task, held, waited))


def _own_waits(frame, own_locks, backend):
    """(held, waited) of the main thread among the user's locks (lockwaits.py), each named as the
    worker names its locks: a threading lock is this process's own copy."""
    from .lockwaits import own_lock_waits
    if not own_locks:
        return [], None
    held, waited = own_lock_waits(frame, own_locks)
    if waited is None:
        return [], None
    named = lambda name: backend.own_name(own_locks[name]._lock, name)  # noqa: E731
    return [(named(name), site) for name, site in held], (named(waited[0]), waited[1])


def _tell_own_lock_waits(frame, task, own_locks, backend, send, now):
    from .lockwaits import as_lock_events
    held, waited = _own_waits(frame, own_locks, backend)
    if waited is None:
        return
    at_ms = now()
    for kind, name, file, line in as_lock_events(held, waited):
        send(("lock", task, name, kind, at_ms, file, line))


def worker_main(conn, ctl, config, shared, fn_bytes):
    """Entry point of one worker process (module level so every start method can import it)."""
    if config.get("forked"):
        try:
            os.close(3)  # the harness's event pipe, inherited through fork: only the harness writes
        except OSError:
            pass
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the harness decides: Ctrl-C means cancel
    _die_with_parent()
    parent_pid = os.getppid()
    origin_ns = config["origin_ns"]
    send_lock = threading.Lock()

    def send(message):
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with send_lock:
            conn.send_bytes(data)

    def now():
        return clock_ms(origin_ns)

    def clock():
        """A call's end and CPU clock, read as a failed call's exception arrives (task.outcome)."""
        return now(), time.process_time()

    import parallel_profiler
    from . import task as tasks
    from .loader import import_asyncio_for, load_module
    from .procbackend import ProcessBackend

    load_start = now()
    try:
        load_module(config["file"])
    except BaseException as e:  # noqa: B902
        send(("failed", str(e), getattr(e, "location", None)))
        return
    forked = bool(config.get("forked"))
    own_locks = config.get("own_locks") or {}
    if not forked:
        # A forked worker has the harness's wrappers already; a spawned one made its module, and
        # its locks, afresh.
        from .freshstate import user_modules
        from .ownlocks import OwnLocks
        own = OwnLocks(user_modules(config["file"]))
        own.wrap()
        own_locks = own.by_name
    backend = ProcessBackend(shared, send, now, shares_locks=forked)
    parallel_profiler._install(backend)
    fn = pickle.loads(fn_bytes)
    import_asyncio_for(fn)
    spread = config["spread"]
    user_file = config["file"]
    state = {"task": None}
    threading.Thread(target=_control, args=(ctl, send, state, parent_pid, own_locks, backend, now),
                     name="pp-control", daemon=True).start()
    # Its own copies of the user's values that the workers do not share, measured from here.
    copies = None
    if config.get("copies"):
        from .sharedvalues import CopyWatch
        copies = CopyWatch(config["copies"])
    cpu_start = time.process_time()
    children_start = tasks.children_cpu_ms()
    from . import nativestacks
    stack_file = nativestacks.arm(config["stack_file"])  # noqa: F841 - kept open for the dumps
    ready_ms = now()
    send(("ready", ready_ms, os.getpid(), threading.get_native_id(), threading.main_thread().ident,
          ready_ms - load_start))

    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            break
        message = pickle.loads(data)
        if message[0] == "stop":
            break
        _, index, payload = message
        t0 = time.perf_counter()
        try:
            item = pickle.loads(payload)
        except Exception as e:  # noqa: BLE001 - the user's class decides what unpickling raises
            # A real pool's worker would die here, and the pool with it: the task fails instead.
            at = now()
            send(("start", index, at))
            send(("end", index, at, at, "error", {"error": "input #%d cannot be handed to a worker process: %s"
                                                            % (index, tasks.unpickling_failed(e, tasks.recreate_fix("input", "pass")))},
                  0.0, (time.perf_counter() - t0) * 1000, 0, None))
            continue
        ser = time.perf_counter() - t0
        state["task"] = index
        backend.task = index
        backend.own_held = []
        tally0 = backend.tally
        start_ms = now()
        send(("start", index, start_ms))
        cpu0 = time.process_time()
        status, result, fields = tasks.outcome(fn, item, spread, user_file, crossing=True, clock=clock)
        end_ms, cpu1 = fields.pop("ended", None) or clock()
        cpu_ms = (cpu1 - cpu0) * 1000
        if backend.own_held:
            # Locks the call ended holding: released, so that no other worker waits for ever.
            for name, site in backend.own_events.release_left(backend, backend.release):
                send(("left-held", index, backend.lock_name(name), site))
        backend.task = None
        state["task"] = None
        result_bytes = None
        if status == "ok":
            t0 = time.perf_counter()
            try:
                # Plain data is pickled once: what the digest hashes is also what is sent.
                plain = tasks.plain_pickle(result) if type(result) not in tasks.PLAIN_TAGS else None
                result_bytes = plain if plain is not None else pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                fields.update(tasks.result_fields(result, plain))
            except Exception as e:  # noqa: BLE001
                status = "error"
                fields = {"error": "the result (%s) cannot be pickled to return it from a worker process "
                                   "(%s: %s); fix: return plain data (numbers, strings, lists, dicts, "
                                   "top-level classes)" % (type(result).__name__, type(e).__name__, e)}
            ser += time.perf_counter() - t0
        send(("end", index, start_ms, end_ms, status, fields, round(cpu_ms, 3), ser * 1000,
              backend.tally - tally0, result_bytes))
    from .freshstate import user_modules
    from .lingering import what_keeps_alive
    send(("bye", now(), round((time.process_time() - cpu_start) * 1000, 3),
          round(tasks.children_cpu_ms() - children_start, 3), copies.changes() if copies else None,
          what_keeps_alive(user_modules(user_file)), backend.own_events.hot_locks(lane=0)))
    conn.close()
