"""For -k gevent: /sleep?S sleeps S seconds with time.sleep (gevent's, once the worker is patched), /block?S with
the unpatched one (it holds the worker's event loop), /stream?N streams N chunks of 64 KiB; every other answer is
JSON: the worker's pid, wsgi.multithread, whether socket was patched when this module was imported and is now."""

import json
import os
import time

from gevent import monkey

PATCHED_AT_IMPORT = monkey.is_module_patched("socket")


def application(environ, start_response):
    path = environ["PATH_INFO"]
    seconds = float(environ.get("QUERY_STRING") or 0)
    if path == "/sleep":
        time.sleep(seconds)
    elif path == "/block":
        monkey.get_original("time", "sleep")(seconds)
    elif path == "/stream":
        chunks = int(seconds)
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(chunks * 65536))])
        return (b"x" * 65536 for _ in range(chunks))
    body = json.dumps(
        {
            "pid": os.getpid(),
            "multithread": environ["wsgi.multithread"],
            "patched_at_import": PATCHED_AT_IMPORT,
            "patched": monkey.is_module_patched("socket"),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
