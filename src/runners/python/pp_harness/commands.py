"""Controller commands (JSON lines on stdin): cancel, kill-tasks, dump-stacks.

A daemon thread reads them into a queue and pokes a wake-up pipe, so a run's loop can wait on it.
End of stdin means the controller is gone: that is a cancel.
"""
import json
import os
import queue
import threading


class Commands:
    """The queue of pending commands, plus `wake_fd` that becomes readable when one arrives."""

    def __init__(self, fd=0):
        self.queue = queue.Queue()
        self.cancelled = False
        #: Called (from the reader thread) whenever a command arrives: a run's loop wakes on it.
        self.listener = None
        self._wake_r, self._wake_w = os.pipe()
        self.wake_fd = self._wake_r
        self._fd = fd
        threading.Thread(target=self._read, name="pp-commands", daemon=True).start()

    def _lines(self):
        """Lines of stdin read with os.read: no buffered-file lock that a forked worker could inherit
        locked (multiprocessing closes sys.stdin in every child)."""
        pending = b""
        while True:
            chunk = os.read(self._fd, 65536)
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line

    def _read(self):
        try:
            for line in self._lines():
                line = line.strip()
                if not line:
                    continue
                try:
                    command = json.loads(line.decode("utf-8"))
                except ValueError:
                    continue
                if isinstance(command, dict) and "type" in command:
                    self.push(command)
        except (OSError, ValueError):
            pass
        self.push({"type": "cancel", "reason": "stdin closed"})

    def push(self, command):
        """Queue a command (also used for signals)."""
        if command.get("type") == "cancel":
            self.cancelled = True
        self.queue.put(command)
        try:
            os.write(self._wake_w, b"!")
        except OSError:
            pass
        listener = self.listener
        if listener is not None:
            listener()

    def take(self):
        """All commands that arrived since the last call."""
        try:
            os.read(self._wake_r, 4096) if self._ready() else None
        except OSError:
            pass
        taken = []
        while True:
            try:
                taken.append(self.queue.get_nowait())
            except queue.Empty:
                return taken

    def _ready(self):
        import select
        return bool(select.select([self._wake_r], [], [], 0)[0])
