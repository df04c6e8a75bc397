"""The `processes` strategy: a pool of worker processes fed one task at a time, with
Pool.map / ProcessPoolExecutor.map semantics.

The harness owns each worker (its own pipes), so it knows which task every process runs: a crash,
a timeout or a kill ends exactly that task and a fresh worker (the next lane) continues with the
rest, where a ProcessPoolExecutor would break as a whole.
"""
import os
import pickle
import signal
import time
from collections import deque
from multiprocessing.connection import wait

from . import memwatch, nativestacks
from .lockwaits import StallWatch, as_lock_events
from .ownlocks import release_own_locks
from .procworker import worker_main
from .task import recreate_fix, unpickling_failed
from .lingering import linger_message
from .shared import SharedState

# How long workers told to stop may take to exit before they are killed: one that takes longer is
# kept alive by what its calls left behind (lingering.py).
EXIT_GRACE_S = 2.0


#: Below this many bytes moved for a task (its input's pickle and its result's), nothing is told:
#: small data never makes the pool slow.
_MOVED_TOLD = 64 * 1024

class _Worker:
    def __init__(self, lane):
        self.lane = lane
        self.proc = None
        self.conn = None
        self.ctl = None
        self.pid = None
        self.spawn_ms = 0.0
        self.ready = False
        self.task = None  # the task it runs (after its `start` message)
        self.inflight = deque()  # tasks sent to it, in order, the running one first
        self.start_ms = None
        self.dead = False
        self.failed = False
        self.cpu_ms = 0.0
        self.children_ms = 0.0  # CPU of the processes its calls started (procworker.py)
        self.bye = None
        #: What it told of its own copies of the user's values as it left (sharedvalues.CopyWatch).
        self.copies = None
        #: Its hot named locks' uses told as no event, as it left (ownlocks.py, hot_locks).
        self.hot = []
        #: What it told could keep it from exiting, as it left (lingering.py).
        self.lingers = []
        self.main_ident = None
        self.stack_file = None
        self.memory_base = None  # its resident memory when it became ready, MB
        self.own_held = []  # the user's shared locks it holds (ownlocks.py), by name, in order


def _signal_name(code):
    try:
        return signal.Signals(-code).name
    except (ValueError, TypeError):
        return "signal %d" % -code


class ProcessRun:
    """One run of the processes strategy."""

    STACKS_ASK_MS = 300
    DEPTH = 2

    def __init__(self, profile, run, workers, repeat):
        self.p = profile
        self.em = profile.emitter
        self.run = run
        self.workers = workers
        self.repeat = repeat
        self.pending = deque()
        self.finished = set()
        self.lanes = []
        self.expected = 0
        self.aborted = None
        self.stacks = None
        self.start_failures = 0
        self.requeued = {}
        self.share_mb = memwatch.share_mb(workers) if memwatch.CAN_WATCH else None
        self.memory_at = 0.0
        # When to ask the busy workers for their waits among the user's locks, and their answers
        # to the last asking, by lane (_check_stall).
        self.stall = StallWatch()
        self.waits = {}

    def execute(self):
        """Runs every task; emits run-start … run-end. Returns False if cancelled."""
        p, em = self.p, self.em
        self.start_ms = em.now()
        cpu0 = time.process_time()
        em.emit({"type": "run-start", "run": self.run, "strategy": "processes",
                 "workers": self.workers, "repeat": self.repeat, "startMs": self.start_ms})
        problem = p.process_preflight()
        if problem:
            em.emit({"type": "run-end", "run": self.run, "wallMs": round(em.now() - self.start_ms, 3),
                     "cpuMs": None, "aborted": problem})
            return True
        self.shared = SharedState(p.mp)
        self.pending.extend(range(len(p.items)))
        for _ in range(self.workers):
            self._spawn()
        self._loop()
        self._shutdown()
        hot = [h for w in self.lanes for h in w.hot]
        if hot:
            em.emit({"type": "hot-locks", "run": self.run, "locks": hot})
        em.emit(dict({"type": "counter", "run": self.run, "expected": self.expected,
                      "observed": self.shared.counter.value},
                     **p.shared_values.event(p.mp.get_start_method(), [w.copies for w in self.lanes if w.copies is not None])))
        # Its semaphores are unlinked as it goes: the harness leaves with os._exit, which runs no
        # finalizer, and under spawn or forkserver the resource tracker then warned of 34 leaked.
        self.shared = None
        cpu = (time.process_time() - cpu0) * 1000 + sum(w.cpu_ms for w in self.lanes)
        # Not the harness's own children: those are the workers, counted above.
        end = {"type": "run-end", "run": self.run, "wallMs": round(em.now() - self.start_ms, 3),
               "cpuMs": round(cpu, 3), "childCpuMs": round(sum(w.children_ms for w in self.lanes), 3)}
        if self.aborted:
            end["aborted"] = self.aborted
        em.emit(end)
        return self.aborted != "cancelled"

    # -- workers ---------------------------------------------------------------------------------

    def _spawn(self):
        p = self.p
        w = _Worker(len(self.lanes))
        self.lanes.append(w)
        parent_conn, child_conn = p.mp.Pipe(duplex=True)
        ctl_r, ctl_w = p.mp.Pipe(duplex=False)
        w.stack_file = os.path.join(p.scratch_dir, "stack-%d-%d.txt" % (self.run, w.lane))
        config = {"origin_ns": self.em.origin_ns, "file": p.file, "spread": p.spread,
                  "stack_file": w.stack_file, "forked": p.mp.get_start_method() == "fork",
                  "copies": p.shared_values.copy_spec(p.mp.get_start_method())}
        if config["forked"]:
            # The user's locks by name, as the harness wrapped them: a forked worker has them as they
            # are (with any other start method the config is pickled, and the worker wraps its own).
            config["own_locks"] = p.own_locks
        w.spawn_ms = self.em.now()
        w.proc = p.mp.Process(target=worker_main, name="pp-worker-%d" % w.lane,
                              args=(child_conn, ctl_r, config, self.shared, p.fn_bytes))
        w.proc.start()
        child_conn.close()
        ctl_r.close()
        w.conn, w.ctl, w.pid = parent_conn, ctl_w, w.proc.pid

    def _dispatch(self, w):
        """Keeps up to DEPTH tasks in a worker's pipe, so it does not wait for the harness between
        two tasks (ProcessPoolExecutor also queues calls ahead) — but a second one only while no
        other worker (idle or still starting) could run it sooner."""
        while (not w.dead and w.ready and len(w.inflight) < self.DEPTH and self.pending
               and not self.p.commands.cancelled):
            if w.inflight and any(not o.dead and not o.inflight for o in self.lanes if o is not w):
                return
            index = self.pending.popleft()
            w.inflight.append(index)
            try:
                w.conn.send_bytes(pickle.dumps(("task", index, self.p.payloads[index]),
                                               protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:
                return  # the worker died: its sentinel reports it, its tasks go back or crash

    def _live(self):
        return [w for w in self.lanes if not w.dead]

    # -- messages from workers ---------------------------------------------------------------------

    def _drain(self, w):
        while True:
            try:
                if not w.conn.poll():
                    return
                message = pickle.loads(w.conn.recv_bytes())
            except (EOFError, OSError):
                return
            self._handle(w, message)

    def _handle(self, w, m):
        em, kind = self.em, m[0]
        if kind == "ready":
            w.ready = True
            if self.share_mb is not None:
                w.memory_base = memwatch.resident_mb(w.pid)
            w.main_ident = m[4]
            em.emit({"type": "worker", "run": self.run, "lane": w.lane, "pid": m[2], "threadId": m[3],
                     "spawnMs": w.spawn_ms, "readyMs": m[1], "loadMs": round(m[5], 3)})
            self._dispatch(w)
        elif kind == "start":
            w.task, w.start_ms = m[1], m[2]
            em.emit({"type": "task-start", "run": self.run, "index": m[1], "lane": w.lane,
                     "queuedMs": self.start_ms, "startMs": m[2]})
        elif kind == "end":
            self._task_end(w, m)
        elif kind == "lock":
            em.emit({"type": "lock", "run": self.run, "lane": w.lane, "task": m[1], "lock": m[2],
                     "kind": m[3], "atMs": m[4], "site": {"file": m[5], "line": m[6]}})
            if m[2] in self.p.own_locks and m[3] != "request":
                if m[3] == "acquire":
                    w.own_held.append(m[2])
                elif m[2] in w.own_held:
                    w.own_held.remove(m[2])
        elif kind == "busy":
            em.emit({"type": "busy", "run": self.run})
        elif kind == "waits":
            if m[3] is not None:
                self.waits[w.lane] = (m[1], m[2], m[3])
        elif kind == "stacks":
            if self.stacks is not None and w.lane in self.stacks["waiting"]:
                self.stacks["waiting"].discard(w.lane)
                self.stacks["workers"].append({"lane": w.lane, "task": m[1], "stack": m[2]})
        elif kind == "left-held":
            self.em.emit({"type": "left-held", "run": self.run, "task": m[1], "lock": m[2],
                          "site": {"file": m[3][0], "line": m[3][1]}})
        elif kind == "bye":
            w.bye = m[1]
            w.cpu_ms = m[2]
            w.children_ms = m[3]
            w.copies = m[4]
            w.lingers = m[5]
            w.hot = [dict(h, lane=w.lane) for h in m[6]]
        elif kind == "failed":
            # A fresh process cannot import the module (e.g. it relies on state only the parent
            # has): no worker will do better, so the remaining tasks fail with the reason.
            w.failed = True
            if not self.aborted:
                reason = "worker processes cannot load the module: %s" % m[1]
                # Where the import failed, when in the user's file; else the function's line.
                self.p.warn("error", "processes", reason, m[2] or self.p.fn_site)
                self._give_up(reason, m[2])

    def _task_end(self, w, m):
        _, index, start_ms, end_ms, status, fields, cpu_ms, ser_ms, tally, result_bytes = m
        ser_ms += self.p.payload_ms[index]
        if result_bytes is not None:
            t0 = time.perf_counter()
            try:
                pickle.loads(result_bytes)
            except Exception as e:  # noqa: BLE001 - the user's class decides what unpickling raises
                # A real pool's result thread would fail here, and the pool with it.
                status, fields = "error", {"error": "the result cannot be handed back from a worker process: "
                                                    + unpickling_failed(e, recreate_fix("result", "return"))}
            ser_ms += (time.perf_counter() - t0) * 1000
        w.task = w.start_ms = None
        if index in w.inflight:
            w.inflight.remove(index)
        w.cpu_ms += cpu_ms
        self.finished.add(index)
        self.expected += tally
        event = {"type": "task-end", "run": self.run, "index": index, "lane": w.lane,
                 "queuedMs": self.start_ms, "startMs": start_ms, "endMs": end_ms, "status": status,
                 "cpuMs": cpu_ms, "serializeMs": round(ser_ms, 3)}
        event.update(fields)
        moved = len(self.p.payloads[index]) + (len(result_bytes) if result_bytes is not None else 0)
        if moved >= _MOVED_TOLD:
            event["movedBytes"] = moved
        self.em.emit(event)
        self._dispatch(w)

    # -- deaths, kills and the loop --------------------------------------------------------------

    def _bury(self, w, status, error, signal_name=None):
        """Ends a dead (or killed) worker's lane and its task; replaces it while tasks remain."""
        w.dead = True
        w.proc.join(1.0)
        code = w.proc.exitcode
        sig = signal_name
        if sig is None and code is not None and code < 0:
            sig = _signal_name(code)
        now = self.em.now()
        released = self.shared.release_held_by(w.pid) if w.pid else []
        released += release_own_locks(self.p.own_locks, w.own_held)
        w.own_held = []
        self._requeue([i for i in w.inflight if i != w.task])
        w.inflight.clear()
        if w.task is not None:
            index, w.task = w.task, None
            self.finished.add(index)
            event = {"type": "task-end", "run": self.run, "index": index, "lane": w.lane,
                     "queuedMs": self.start_ms, "startMs": w.start_ms if w.start_ms is not None else now,
                     "endMs": now, "status": status, "error": error}
            self.em.emit(event)
        self.em.emit({"type": "worker-exit", "run": self.run, "lane": w.lane, "exitMs": now,
                      "exitCode": code if code is None or code >= 0 else None, "signal": sig})
        if released:
            self.p.log("released lock(s) %s held by the ended worker (lane %d)" % (", ".join(released), w.lane))
        self._close(w)
        if self.pending and not self.p.commands.cancelled and self.aborted != "cancelled":
            if not w.ready:
                self.start_failures += 1
            if self.start_failures > 2 * self.workers:
                self._give_up("worker processes keep dying during start-up")
            else:
                self._spawn()

    def _close(self, w):
        for c in (w.conn, w.ctl):
            try:
                c.close()
            except OSError:
                pass

    def _died(self, w):
        self._drain(w)
        w.proc.join(1.0)
        code = w.proc.exitcode
        how = ("was killed by %s" % _signal_name(code)) if code is not None and code < 0 \
            else "exited with code %s" % code
        if w.task is not None:
            message = "worker process %d %s while running task %d" % (w.pid, how, w.task)
            self.p.warn("crash", "processes", message + "; the pool replaced it and continued",
                        self.p.fn_site)
            self._bury(w, "crashed", message)
        else:
            if not w.failed:
                when = "between tasks" if w.ready else "during start-up"
                self.p.warn("crash", "processes", "worker process %d %s %s" % (w.pid, how, when))
            self._bury(w, "crashed", None)

    def _kill(self, w, status, reason):
        self._drain(w)
        if w.dead or w.task is None:
            return
        w.proc.kill()
        self._bury(w, status, reason, "SIGKILL")

    def _requeue(self, indices):
        """Tasks sent to a worker that ended before starting them go back to the front of the
        queue; one that kept a worker from ever starting it three times ends `crashed`."""
        for index in reversed(indices):
            self.requeued[index] = self.requeued.get(index, 0) + 1
            if self.requeued[index] > 3:
                self.finished.add(index)
                now = self.em.now()
                self.em.emit({"type": "task-end", "run": self.run, "index": index, "lane": -1,
                              "queuedMs": self.start_ms, "startMs": now, "endMs": now,
                              "status": "crashed", "error": "worker processes died before starting it"})
            else:
                self.pending.appendleft(index)

    def _give_up(self, reason, location=None):
        self.aborted = reason
        now = self.em.now()
        while self.pending:
            index = self.pending.popleft()
            self.finished.add(index)
            event = {"type": "task-end", "run": self.run, "index": index, "lane": -1,
                     "queuedMs": self.start_ms, "startMs": now, "endMs": now, "status": "error",
                     "error": reason}
            if location:
                event["errorLocation"] = location
            self.em.emit(event)

    def _loop(self):
        p, em = self.p, self.em
        n = len(p.items)
        while len(self.finished) < n:
            live = self._live()
            if not live and self.pending and not self.aborted:
                self._spawn()
                live = self._live()
            if not live:
                break
            sentinels = {w.proc.sentinel: w for w in live}
            conns = {w.conn: w for w in live}
            ready = wait(list(conns) + list(sentinels) + [p.commands.wake_fd], 0.05)
            for r in ready:
                if r in conns and not conns[r].dead:
                    self._drain(conns[r])
            for r in ready:
                if r in sentinels and not sentinels[r].dead:
                    self._died(sentinels[r])
            for command in p.commands.take():
                self._command(command)
            if p.commands.cancelled or em.broken:
                self._cancel()
                return
            if p.timeout_ms > 0:
                now = em.now()
                for w in self._live():
                    if w.task is not None and w.start_ms is not None and now - w.start_ms > p.timeout_ms:
                        self._kill(w, "timeout", "task ran longer than the %d ms timeout" % p.timeout_ms)
            self._flush_stacks(False)
            self._check_memory()
            self._check_stall()

    def _check_stall(self):
        """Once no task has finished for STALL_S, and every STALL_CHECK_S after that: what each busy
        worker's main thread holds and waits for among the user's locks (asked for, `waits`, and
        read from its stack, procworker.py); a cycle among their answers seen twice in a row is
        told as lock events, for the controller to find the deadlock within seconds rather than at
        the hang timeout. (Hot locks are taken unwrapped, and tell nothing themselves.)"""
        if not self.stall.due(len(self.finished), self.waits.clear) or not self.p.own_locks:
            return
        waits, self.waits = self.waits, {}
        at_ms = self.em.now()
        for lane in self.stall.cycle_to_tell(waits, lambda lane: lane) or []:
            task, held, waited = waits[lane]
            for kind, name, file, line in as_lock_events(held, waited):
                self._handle(self.lanes[lane], ("lock", task, name, kind, at_ms, file, line))
        for w in self._live():
            if w.task is not None:
                try:
                    w.ctl.send("waits")
                except OSError:
                    pass

    def _check_memory(self):
        """Kills a worker whose memory grew by more than its share (memwatch.py): its task ends
        `crashed` with a warning saying how much, and a fresh worker goes on."""
        if self.share_mb is None or time.monotonic() < self.memory_at:
            return
        self.memory_at = time.monotonic() + memwatch.CHECK_S
        for w in self._live():
            used = memwatch.resident_mb(w.pid) if w.memory_base is not None else None
            if used is None or used - w.memory_base <= self.share_mb:
                continue
            self._drain(w)
            if w.dead:
                continue
            w.proc.kill()
            message = memwatch.process_message(w.task, w.pid, used - w.memory_base, self.share_mb)
            self.p.warn("crash", "processes", message, self.p.fn_site)
            self._bury(w, "crashed", message if w.task is not None else None, "SIGKILL")

    def _command(self, command):
        kind = command.get("type")
        if kind == "kill-tasks" and command.get("run") == self.run:
            wanted = set(command.get("tasks") or [])
            for w in self._live():
                self._drain(w)
            targets = [w for w in self._live() if w.task in wanted]
            for w in targets:  # all at once: one must not finish with the locks another freed
                w.proc.kill()
            for w in targets:
                self._bury(w, command.get("status") or "deadlocked",
                           command.get("reason") or "ended by the profiler", "SIGKILL")
        elif kind == "dump-stacks" and command.get("run") == self.run:
            busy = [w for w in self._live() if w.task is not None]
            self.stacks = {"deadline": self.em.now() + self.STACKS_ASK_MS, "native": False, "workers": [],
                           "waiting": set(w.lane for w in busy),
                           "tasks": {w.lane: w.task for w in busy}}
            for w in busy:
                try:
                    w.ctl.send("stacks")
                except OSError:
                    self.stacks["waiting"].discard(w.lane)
            self._flush_stacks(False)

    def _flush_stacks(self, force):
        """Emits `stacks` once every busy worker answered; workers that cannot answer (stuck in
        native code holding the GIL) get a faulthandler dump instead."""
        s = self.stacks
        if s is None or (s["waiting"] and not force and self.em.now() < s["deadline"]):
            return
        if s["waiting"] and not force and not s["native"]:
            s["native"] = True
            s["deadline"] = self.em.now() + self.STACKS_ASK_MS
            for w in self._live():
                if w.lane in s["waiting"]:
                    nativestacks.request(w.pid, w.stack_file)
            return
        for lane in s["waiting"]:
            w = self.lanes[lane]
            stack = nativestacks.read(w.stack_file, w.main_ident) if s["native"] and w.main_ident else None
            s["workers"].append({"lane": lane, "task": s["tasks"].get(lane), "stack": stack})
        self.stacks = None
        self.em.emit({"type": "stacks", "run": self.run,
                      "workers": sorted(s["workers"], key=lambda x: x["lane"])})

    def _cancel(self):
        self.aborted = "cancelled"
        for w in self._live():
            w.proc.kill()
        for w in self._live():
            self._bury(w, "cancelled", "the profile was cancelled", "SIGKILL")
        never = list(self.pending)
        self.pending.clear()
        now = self.em.now()
        for index in never:
            self.finished.add(index)
            self.em.emit({"type": "task-end", "run": self.run, "index": index, "lane": -1,
                          "queuedMs": self.start_ms, "startMs": now, "endMs": now, "status": "cancelled"})

    def _shutdown(self):
        """Stops idle workers cleanly (they report their CPU time), kills any that linger."""
        if self.stacks is not None:
            self._flush_stacks(True)
        live = self._live()
        for w in live:
            try:
                w.conn.send_bytes(pickle.dumps(("stop",)))
            except OSError:
                pass
        deadline = time.monotonic() + EXIT_GRACE_S
        lingered = []
        for w in live:
            w.proc.join(max(0.0, deadline - time.monotonic()))
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join(1.0)
                lingered.append(w)
            self._drain(w)
            w.dead = True
            code = w.proc.exitcode
            self.em.emit({"type": "worker-exit", "run": self.run, "lane": w.lane,
                          "exitMs": w.bye if w.bye is not None else self.em.now(),
                          "exitCode": code if code is None or code >= 0 else None,
                          "signal": _signal_name(code) if code is not None and code < 0 else None})
            self._close(w)
        if lingered and not self.aborted:
            # Once per run: the workers ran the same calls, and the first to tell a cause names it.
            told = next((w.lingers for w in lingered if w.lingers), [])
            message, location = linger_message(EXIT_GRACE_S, told)
            self.p.warn("hang", "processes", message, location or self.p.fn_site)
