"""Bad input: one line naming the cause and the fix; the harness reports it as `fatal`, exit 2."""


class UserInputError(Exception):
    """A problem with the user's file, function or inputs (not a bug of ours); `location`, where
    known, is the user's line it comes from ({"file", "line"})."""

    def __init__(self, message, location=None):
        super().__init__(message)
        self.location = location


class TaskKilled(BaseException):
    """Raised inside a worker thread whose task the harness ended (deadlock, timeout, cancel)."""


class WorkerExit(BaseException):
    """os._exit() called by a task running in a thread: stopped so it cannot end the harness."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code
