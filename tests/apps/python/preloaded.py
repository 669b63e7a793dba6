"""Answers "IMPORTED_BY PID PPID": the process that imported this module, the worker's own pid and its parent's.
/kill kills its own worker with SIGKILL mid-request; /fork starts a process that sleeps for a minute (inheriting the
worker's descriptors, its channel among them) and answers with its pid."""

import os
import signal
import time

IMPORTED_BY = os.getpid()


def application(environ, start_response):
    if environ["PATH_INFO"] == "/kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if environ["PATH_INFO"] == "/fork":
        child = os.fork()
        if child == 0:
            time.sleep(60)
            os._exit(0)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(child).encode()]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%d %d %d" % (IMPORTED_BY, os.getpid(), os.getppid())).encode()]
