"""The `sequential` (one worker thread) and `threads` strategies.

Workers are plain threads pulling tasks from one queue, as ThreadPoolExecutor.map does, but the
harness keeps each lane: it can end a stuck task (deadlock, timeout, cancel), replace its worker
with a new lane, and report what every worker is running.
"""
import ctypes
import os
import sys
import threading
import time
import traceback
from collections import deque

import parallel_profiler

from . import memwatch
from .loader import innermost_in
from .lockwaits import StallWatch, as_lock_events, in_harness, own_lock_waits
from . import task as tasks
from .errors import TaskKilled
from .threadbackend import TaskContext, ThreadBackend


# The lock another thread may release for a deadlocked one (an RLock belongs to its thread).
_PLAIN_LOCK = type(threading.Lock())


class _Lane:
    __slots__ = ("id", "thread", "ident", "native_id", "ctx", "start_ms", "abandoned", "exit_ms", "killed_at")

    def __init__(self, lane_id):
        self.id = lane_id
        self.thread = None
        self.ident = None
        self.native_id = None
        self.ctx = None
        self.start_ms = 0.0
        self.abandoned = False
        self.exit_ms = None
        self.killed_at = None


def _join_all(lanes, seconds):
    """Waits up to `seconds` in all for the lanes' threads to end."""
    deadline = time.monotonic() + seconds
    for lane in lanes:
        lane.thread.join(max(0.0, deadline - time.monotonic()))


def _interrupt(ident):
    """Best effort: raise TaskKilled in a thread stuck in Python code (not in a blocking call)."""
    try:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(TaskKilled))
    except Exception:  # noqa: BLE001
        pass


class ThreadRun:
    """One run of the sequential or threads strategy."""

    INTERRUPT_AFTER_S = 0.5

    def __init__(self, profile, run, strategy, workers, repeat):
        self.p = profile
        self.em = profile.emitter
        self.run = run
        self.strategy = strategy
        self.workers = 1 if strategy == "sequential" else workers
        self.repeat = repeat
        self.mu = threading.Lock()
        self.wake = threading.Event()
        self.pending = deque()
        self.finished = set()
        self.lanes = []
        self.expected = 0
        self.aborted = None
        # When to read the stuck threads' waits among the user's locks (_check_own_lock_cycle).
        self.stall = StallWatch()

    def execute(self):
        """Runs every task; emits run-start … run-end. Returns False if cancelled."""
        p, em = self.p, self.em
        self.start_ms = em.now()
        cpu0 = time.process_time()
        children0 = tasks.children_cpu_ms()
        em.emit({"type": "run-start", "run": self.run, "strategy": self.strategy,
                 "workers": self.workers, "repeat": self.repeat, "startMs": self.start_ms})
        self.memory = memwatch.ThreadWatch(self.workers) if memwatch.CAN_WATCH else None
        self.backend = ThreadBackend(em, self.run)
        parallel_profiler._install(self.backend)
        self.pending.extend(range(len(p.items)))
        for _ in range(self.workers):
            self._spawn()
        self._loop()
        self._stop_abandoned()
        for lane in self.lanes:
            if not lane.abandoned:
                lane.thread.join(1.0)
                em.emit({"type": "worker-exit", "run": self.run, "lane": lane.id,
                         "exitMs": lane.exit_ms if lane.exit_ms is not None else em.now(), "exitCode": 0})
        hot = self.backend.own_events.hot_locks()
        if hot:
            em.emit({"type": "hot-locks", "run": self.run, "locks": hot})
        em.emit(dict({"type": "counter", "run": self.run, "expected": self.expected,
                      "observed": self.backend.value()}, **p.shared_values.event()))
        end = {"type": "run-end", "run": self.run, "wallMs": round(em.now() - self.start_ms, 3),
               "cpuMs": round((time.process_time() - cpu0) * 1000, 3),
               "childCpuMs": round(tasks.children_cpu_ms() - children0, 3)}
        if self.aborted:
            end["aborted"] = self.aborted
        em.emit(end)
        return self.aborted is None

    # -- workers ---------------------------------------------------------------------------------

    def _spawn(self):
        lane = _Lane(len(self.lanes))
        self.lanes.append(lane)
        spawn_ms = self.em.now()
        lane.thread = threading.Thread(target=self._work, args=(lane, spawn_ms),
                                       name="pp-%s-%d" % (self.strategy, lane.id), daemon=True)
        lane.thread.start()

    def _release_left(self, ctx, index):
        """The locks a task ended holding: released, and told (protocol.ts, `left-held`)."""
        backend = self.backend
        for name, site in backend.own_events.release_left(ctx, backend.release):
            self.em.emit({"type": "left-held", "run": self.run, "task": index, "lock": name,
                          "site": {"file": site[0], "line": site[1]}})

    def _work(self, lane, spawn_ms):
        em, p = self.em, self.p
        lane.ident = threading.get_ident()
        lane.native_id = threading.get_native_id()
        em.emit({"type": "worker", "run": self.run, "lane": lane.id, "pid": os.getpid(),
                 "threadId": threading.get_native_id(), "spawnMs": spawn_ms, "readyMs": em.now()})

        def clock():
            """A call's end and CPU clock, read as a failed call's exception arrives (task.outcome)."""
            return em.now(), time.thread_time()
        try:
            while True:
                with self.mu:
                    if lane.abandoned or not self.pending:
                        break
                    index = self.pending.popleft()
                    ctx = lane.ctx = TaskContext(lane.id, index)
                    lane.start_ms = em.now()
                self.backend.local.ctx = ctx
                cpu0 = time.thread_time()
                try:
                    status, result, fields = tasks.outcome(p.fn, p.items[index], p.spread, p.file, clock=clock)
                except TaskKilled:
                    break
                end_ms, cpu1 = fields.pop("ended", None) or clock()
                cpu_ms = round((cpu1 - cpu0) * 1000, 3)
                if ctx.own_held:
                    self._release_left(ctx, index)
                self.backend.local.ctx = None
                if status == "ok":
                    fields.update(tasks.result_fields(result))
                with self.mu:
                    if ctx.killed:
                        break
                    self.finished.add(index)
                    lane.ctx = None
                    self.expected += ctx.tally
                    last = len(self.finished) == len(p.items)
                if status == "ok":
                    em.task_ok(self.run, index, lane.id, self.start_ms, lane.start_ms, end_ms, cpu_ms,
                               fields["digest"], fields["resultPreview"])
                else:
                    event = {"type": "task-end", "run": self.run, "index": index, "lane": lane.id,
                             "queuedMs": self.start_ms, "startMs": lane.start_ms, "endMs": end_ms,
                             "status": status, "cpuMs": cpu_ms}
                    event.update(fields)
                    em.emit(event)
                if status == "crashed":
                    p.warn_crash(self.strategy, fields.get("error", "crashed"), index)
                if last:
                    # Only the end matters to the loop: waking it per task would hand the GIL
                    # (and, on a busy machine, the CPU) to it between every two tasks.
                    self.wake.set()
        except TaskKilled:
            pass
        finally:
            self.backend.local.ctx = None
            lane.exit_ms = em.now()
            if lane.abandoned:
                em.emit({"type": "log", "message": "the thread of ended worker %d (run %d) has stopped"
                         % (lane.id, self.run)})
            self.wake.set()

    # -- the controlling loop ---------------------------------------------------------------------

    def _loop(self):
        p = self.p
        timeout_s = p.timeout_ms / 1000.0 if p.timeout_ms > 0 else None
        p.commands.listener = self.wake.set
        while True:
            # Workers and commands set `wake`; the timeout only bounds timeout checks and the
            # emitter's broken-pipe check, so the loop rarely takes the GIL from user code.
            self.wake.wait(min(0.05, timeout_s / 4) if timeout_s is not None
                           else memwatch.CHECK_S if self.memory else 0.25)
            self.wake.clear()
            self._announce_running()
            for command in p.commands.take():
                self._command(command)
            if p.commands.cancelled or self.em.broken:
                p.commands.listener = None
                self._cancel()
                return
            if timeout_s is not None:
                now = self.em.now()
                for lane in list(self.lanes):
                    ctx = lane.ctx
                    if ctx is not None and not lane.abandoned and now - lane.start_ms > p.timeout_ms:
                        self._end_task(lane, "timeout", "task ran longer than the %d ms timeout"
                                       % p.timeout_ms)
            self._interrupt_stuck()
            self._check_memory()
            self._check_own_lock_cycle()
            with self.mu:
                done = len(self.finished) == len(p.items)
                alive = any(not l.abandoned and l.thread.is_alive() for l in self.lanes)
                if not done and not alive and self.pending:
                    self._spawn()
            if done:
                p.commands.listener = None
                return

    def _announce_running(self):
        """A `task-start` for each task running now that has not had one. Workers do not send it
        themselves: with tasks of microseconds, one more event per task held the GIL long enough to
        make two threads twice as slow as a bare ThreadPoolExecutor."""
        with self.mu:
            running = [(lane, lane.ctx, lane.start_ms) for lane in self.lanes
                       if lane.ctx is not None and not lane.ctx.announced and not lane.abandoned]
            for _, ctx, _ in running:
                ctx.announced = True
        for lane, ctx, start_ms in running:
            self.em.emit({"type": "task-start", "run": self.run, "index": ctx.task, "lane": lane.id,
                          "queuedMs": self.start_ms, "startMs": start_ms})

    def _interrupt_stuck(self):
        """An ended task's thread leaves by itself if it waits on a runtime lock; one still running
        a moment later is stuck in the user's code: raise TaskKilled in it (works for Python loops;
        a blocking call such as sleep finishes first)."""
        for lane in self.lanes:
            if lane.killed_at is not None and time.monotonic() - lane.killed_at > self.INTERRUPT_AFTER_S:
                lane.killed_at = None
                if lane.thread.is_alive() and lane.ident is not None:
                    _interrupt(lane.ident)

    def _check_memory(self):
        """Stops the task filling memory once the harness is over its threads' shares (memwatch.py):
        the task ends `crashed`, TaskKilled is raised in its thread at once, a new lane goes on."""
        if self.memory is None:
            return
        with self.mu:
            busy = [(lane, lane.native_id) for lane in self.lanes if lane.ctx is not None and not lane.abandoned]
        lane, used = self.memory.culprit(busy)
        ctx = lane.ctx if lane is not None else None
        if ctx is None:
            return
        message = self.memory.message(ctx.task, used)
        where = self._user_line(lane.ident)
        self._end_task(lane, "crashed", message)
        lane.killed_at = None
        _interrupt(lane.ident)
        self.p.warn("crash", self.strategy, message, where or self.p.fn_site)

    def _user_line(self, ident):
        """The innermost line of the user's file that a thread is running, if any."""
        frame = sys._current_frames().get(ident)
        entry = innermost_in(traceback.extract_stack(frame), self.p.file) if frame is not None else None
        return {"file": os.path.abspath(self.p.file), "line": entry.lineno} if entry else None

    def _stop_abandoned(self):
        """Before the run ends, stop the threads of ended tasks still running Python code, so they
        do not eat the CPU of the next run (a thread blocked in a system call stays behind)."""
        stuck = [l for l in self.lanes if l.abandoned and l.thread.is_alive() and l.ident is not None]
        # A thread waiting for a lock sees its task ended within a poll and leaves by itself,
        # releasing what it holds on the way out. An exception thrown in could land between a
        # lock's acquire and the `with` that releases it, and leave the user's lock held.
        _join_all(stuck, 3 * ThreadBackend.POLL_S)
        stuck = [l for l in stuck if l.thread.is_alive()]
        for lane in stuck:
            _interrupt(lane.ident)
        _join_all(stuck, 0.5)

    def _command(self, command):
        kind = command.get("type")
        if kind == "kill-tasks" and command.get("run") == self.run:
            wanted = set(command.get("tasks") or [])
            status = command.get("status") or "deadlocked"
            stuck = [lane for lane in self.lanes if lane.ctx is not None and lane.ctx.task in wanted]
            held = self._own_locks_held(stuck) if status == "deadlocked" else []
            with self.mu:  # all at once: one must not finish with the locks another freed
                for lane in stuck:
                    lane.ctx.killed = True
            for lane in stuck:
                if lane.ctx is not None and lane.ctx.task in wanted:
                    self._end_task(lane, status, command.get("reason") or "ended by the profiler")
            self._free_own_locks(held)
        elif kind == "dump-stacks" and command.get("run") == self.run:
            self._dump_stacks()

    def _end_task(self, lane, status, reason):
        """Ends the lane's running task with `status`, abandons the thread, starts a new lane."""
        with self.mu:
            ctx = lane.ctx
            if ctx is None or lane.abandoned or ctx.task in self.finished:
                return
            ctx.killed = True
            lane.abandoned = True
            self.finished.add(ctx.task)
        now = self.em.now()
        self.em.emit({"type": "task-end", "run": self.run, "index": ctx.task, "lane": lane.id,
                      "queuedMs": self.start_ms, "startMs": lane.start_ms, "endMs": now,
                      "status": status, "error": reason})
        self.em.emit({"type": "worker-exit", "run": self.run, "lane": lane.id, "exitMs": now,
                      "exitCode": None})
        lane.killed_at = time.monotonic()
        with self.mu:
            more = bool(self.pending)
        if more and not self.p.commands.cancelled:
            self._spawn()

    def _cancel(self):
        self.aborted = "cancelled"
        with self.mu:
            never = list(self.pending)
            self.pending.clear()
        for lane in list(self.lanes):
            self._end_task(lane, "cancelled", "the profile was cancelled")
        now = self.em.now()
        for index in never:
            self.finished.add(index)
            self.em.emit({"type": "task-end", "run": self.run, "index": index, "lane": -1,
                          "queuedMs": self.start_ms, "startMs": now, "endMs": now,
                          "status": "cancelled"})

    def _dump_stacks(self):
        frames = sys._current_frames()
        workers = []
        for lane in self.lanes:
            ctx = lane.ctx
            if ctx is None or lane.abandoned:
                continue
            frame = frames.get(lane.ident)
            if frame is not None:
                self._tell_own_lock_waits(ctx, frame)
            workers.append({"lane": lane.id, "task": ctx.task,
                            "stack": tasks.stack_text(frame, ident=lane.ident) if frame is not None else None})
        self.em.emit({"type": "stacks", "run": self.run, "workers": workers})

    def _tell_own_lock_waits(self, ctx, frame):
        """Before a stalled run's stacks: what the thread holds and waits for among the user's
        locks (lockwaits.py), as lock events, so that a deadlock of locks put back unwrapped (hot)
        is found as one."""
        held, waited = own_lock_waits(frame, self.p.own_locks)
        if waited is not None:
            self._emit_waits(ctx, held, waited)

    def _emit_waits(self, ctx, held, waited):
        now = self.em.now()
        for kind, name, file, line in as_lock_events(held, waited):
            self.em.emit({"type": "lock", "run": self.run, "lane": ctx.lane, "task": ctx.task,
                          "lock": name, "kind": kind, "atMs": now, "site": {"file": file, "line": line}})

    def _own_locks_held(self, lanes):
        """Of `lanes`, those whose threads wait in one of the user's locks itself (taken unwrapped,
        hot), each with the locks, as themselves, that it is inside a `with` of. A thread waiting in
        a lock's wrapper gives up by itself, releasing what it holds (threadbackend.py)."""
        frames = sys._current_frames()
        found = []
        for lane in lanes:
            frame = frames.get(lane.ident)
            if frame is None or in_harness(frame):
                continue
            held, waited = own_lock_waits(frame, self.p.own_locks)
            if waited is not None:
                found.append((lane, [self.p.own_locks[name]._lock for name, _ in held if name in self.p.own_locks]))
        return found

    def _free_own_locks(self, stuck):
        """Deadlocked threads that wait in the user's locks themselves, where no exception reaches
        them (`stuck`, from _own_locks_held): each is interrupted, and the plain Locks it holds
        released for it, so that it wakes, meets the interruption and leaves, and the runs after
        this one (a forked process pool) do not find the locks still taken. An RLock belongs to its
        thread, and stays as it is."""
        for lane, _ in stuck:
            if lane.ident is not None:
                _interrupt(lane.ident)
        for _, held in stuck:
            for lock in held:
                if type(lock) is _PLAIN_LOCK and lock.locked():
                    try:
                        lock.release()
                    except RuntimeError:
                        pass

    def _check_own_lock_cycle(self):
        """Once no task has finished for STALL_S: the stuck threads' waits among the user's locks,
        read from their stacks; a cycle seen on two checks in a row is told as lock events, for the
        controller to find the deadlock within a second rather than at the hang timeout. (Hot locks
        are taken unwrapped, and tell nothing themselves.)"""
        if not self.stall.due(len(self.finished)) or not self.p.own_locks:
            return
        frames = sys._current_frames()
        waits = {}
        for lane in self.lanes:
            frame = frames.get(lane.ident) if lane.ctx is not None and not lane.abandoned else None
            held, waited = own_lock_waits(frame, self.p.own_locks) if frame is not None else ([], None)
            if waited is not None:
                waits[lane] = (lane.ctx, held, waited)
        for lane in self.stall.cycle_to_tell(waits, lambda lane: lane.id) or []:
            self._emit_waits(*waits[lane])
