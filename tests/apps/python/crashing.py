"""/kill kills its own worker with SIGKILL mid-request; /hang holds the GIL in C (a regular expression that
backtracks for minutes), so no other thread of the worker runs; anything else answers with the worker's pid.
With TSGI_TEST_RAN set, each request first appends its path to that file: which requests ran, and how often."""

import os
import re
import signal

RAN = os.environ.get("TSGI_TEST_RAN")


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if RAN:
        with open(RAN, "a") as f:
            f.write(path + "\n")
    if path == "/kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if path == "/hang":
        re.match(r"(a+)+$", "a" * 40 + "b")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
