"""Sleeps for ?seconds (default 1) before answering; /pid answers with the worker's pid at once; /hold?seconds
holds the GIL that long (C code that never releases it, as a runaway regex or a careless extension)."""

import ctypes
import os
import threading
import time


def application(environ, start_response):
    if environ["PATH_INFO"] == "/pid":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(os.getpid()).encode()]
    seconds = float(environ["QUERY_STRING"] or "1")
    started = time.time()
    if environ["PATH_INFO"] == "/hold":
        # ctypes.PyDLL calls keep the GIL: no other thread of this process runs Python meanwhile.
        ctypes.PyDLL(None).sleep(int(seconds))
    else:
        time.sleep(seconds)
    body = ("%d %s %.3f %.3f" % (os.getpid(), threading.current_thread().name, started, time.time())).encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]
