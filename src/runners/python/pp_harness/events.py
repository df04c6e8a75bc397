"""The event channel to the controller: JSON lines on file descriptor 3, one clock for everyone."""
import json
import os
import threading
import time

EVENT_FD = 3


def clock_ms(origin_ns):
    """Milliseconds since origin_ns on the wall clock every thread and process shares."""
    return round((time.time_ns() - origin_ns) / 1e6, 3)


class Emitter:
    """Writes runner events as whole JSON lines to fd 3 (stderr if fd 3 is not open).

    One lock serialises writers so lines never interleave; process workers relay through the
    harness, so this is the only writer. A broken pipe (controller gone) sets `broken`.
    """

    def __init__(self, origin_ns=None, fd=EVENT_FD):
        self.origin_ns = origin_ns if origin_ns is not None else time.time_ns()
        self.broken = False
        self._lock = threading.Lock()
        try:
            os.fstat(fd)
            self.fd = fd
        except OSError:
            self.fd = 2

    def now(self):
        """Milliseconds since the profile's origin."""
        return clock_ms(self.origin_ns)

    def emit(self, event):
        """Write one event; never raises."""
        data = (json.dumps(event, separators=(",", ":"), default=str) + "\n").encode("utf-8")
        with self._lock:
            if self.broken:
                return
            view = memoryview(data)
            try:
                while view:
                    view = view[os.write(self.fd, view):]
            except OSError:
                self.broken = True
