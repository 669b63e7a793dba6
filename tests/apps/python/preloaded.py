"""Answers "IMPORTED_BY PID PPID": the process that imported this module, the worker's own pid and its parent's.
/kill kills its own worker with SIGKILL mid-request."""

import os
import signal

IMPORTED_BY = os.getpid()


def application(environ, start_response):
    if environ["PATH_INFO"] == "/kill":
        os.kill(os.getpid(), signal.SIGKILL)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%d %d %d" % (IMPORTED_BY, os.getpid(), os.getppid())).encode()]
