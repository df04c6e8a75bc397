"""The event channel to the controller: JSON lines on file descriptor 3, one clock for everyone."""
import json
import os
import threading
import time

EVENT_FD = 3
#: Events wait at most this long, so the controller wakes ten times a second rather than twice per
#: task: each wake-up (and each write here, which takes the GIL) takes CPU time from the workers
#: being measured.
FLUSH_S = 0.1
#: Events that end the harness (it leaves with os._exit) go out at once, and so does a full buffer;
#: so do a run's start and end: the controller counts the user's output (another pipe) in the run
#: that started last, so a run's start must not wait behind its output.
AT_ONCE = ("fatal", "done", "run-start", "run-end")
MAX_LINES = 512
MAX_SPANS = 4096
#: The columns of a `tasks` line's `ok` (protocol.ts, OkColumns), in the order task_ok fills them.
OK_COLUMNS = ("index", "lane", "queuedUs", "startUs", "endUs", "cpuUs", "digest", "preview")


def clock_ms(origin_ns):
    """Milliseconds since origin_ns on the wall clock every thread and process shares."""
    return round((time.time_ns() - origin_ns) / 1e6, 3)


class Emitter:
    """Writes runner events as whole JSON lines to fd 3 (stderr if fd 3 is not open), batched for up
    to FLUSH_S. Task ends go many to a line, as a `tasks` event (as the JS runner sends them): those
    of calls that returned normally as columns of whole microseconds (protocol.ts, OkColumns), which
    cost a third of a span object each to build and encode; everything stays in the order it happened.

    One lock serialises writers so lines never interleave; process workers relay through the
    harness, so this is the only writer. A broken pipe (controller gone) sets `broken`.
    """

    def __init__(self, origin_ns=None, fd=EVENT_FD):
        self.origin_ns = origin_ns if origin_ns is not None else time.time_ns()
        self.broken = False
        self._lock = threading.Lock()
        self._lines = []
        #: The open `tasks` line: its run, its spans, and its ok columns.
        self._run = None
        self._spans = []
        self._ok = None
        self._due = threading.Event()
        try:
            os.fstat(fd)
            self.fd = fd
        except OSError:
            self.fd = 2
        threading.Thread(target=self._flush_when_due, name="pp-events", daemon=True).start()

    def now(self):
        """Milliseconds since the profile's origin."""
        return clock_ms(self.origin_ns)

    def emit(self, event):
        """Queue one event (a task end joins the open `tasks` line, and is taken over); never raises."""
        with self._lock:
            if self.broken:
                return
            kind = event.get("type")
            if kind == "task-end":
                # The event becomes its span: callers hand it over.
                del event["type"]
                self._open_batch(event.pop("run"))
                self._spans.append(event)
                self._added()
            else:
                self._close_batch()
                self._lines.append(_encode(event))
            if kind in AT_ONCE or len(self._lines) >= MAX_LINES:
                self._write()
            elif not self._due.is_set():
                self._due.set()

    def task_ok(self, run, index, lane, queued_ms, start_ms, end_ms, cpu_ms, digest, preview):
        """A call that returned normally: one row of the open `tasks` line's columns."""
        with self._lock:
            if self.broken:
                return
            ok = self._open_batch(run)
            ok[0].append(index)
            ok[1].append(lane)
            ok[2].append(round(queued_ms * 1000))
            ok[3].append(round(start_ms * 1000))
            ok[4].append(round(end_ms * 1000))
            ok[5].append(None if cpu_ms is None else round(cpu_ms * 1000))
            ok[6].append(digest)
            # As in OkColumns: null where the preview is the digest without its tag.
            ok[7].append(None if preview == digest[2:] else preview)
            self._added()
            if not self._due.is_set():
                self._due.set()

    def _open_batch(self, run):
        """The open `tasks` line's ok columns, for `run`: a line holds one run's tasks."""
        if self._run != run:
            self._close_batch()
        self._run = run
        if self._ok is None:
            self._ok = [[], [], [], [], [], [], [], []]
        return self._ok

    def _added(self):
        if len(self._spans) + len(self._ok[0]) >= MAX_SPANS:
            self._close_batch()

    def _flush_when_due(self):
        while True:
            self._due.wait()
            time.sleep(FLUSH_S)
            with self._lock:
                self._due.clear()
                self._write()

    def _close_batch(self):
        ok = self._ok
        if self._spans or (ok and ok[0]):
            line = {"type": "tasks", "run": self._run}
            if ok and ok[0]:
                line["ok"] = dict(zip(OK_COLUMNS, ok))
            if self._spans:
                line["spans"] = self._spans
            self._lines.append(_encode(line))
        self._spans = []
        self._ok = None

    def _write(self):
        """Writes the queued lines; the caller holds the lock."""
        self._close_batch()
        if not self._lines or self.broken:
            self._lines = []
            return
        view = memoryview(b"".join(self._lines))
        self._lines = []
        try:
            while view:
                view = view[os.write(self.fd, view):]
        except OSError:
            self.broken = True


def _encode(event):
    return (json.dumps(event, separators=(",", ":"), default=str) + "\n").encode("utf-8")
