"""/kill kills its own worker with SIGKILL mid-request; anything else answers with the worker's pid."""

import os
import signal


def application(environ, start_response):
    if environ["PATH_INFO"] == "/kill":
        os.kill(os.getpid(), signal.SIGKILL)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
