"""Echoes the environ as JSON: every str value, and the type or value of the wsgi.* objects."""

import json
import os
import sys
import threading


def application(environ, start_response):
    out = {}
    for key, value in environ.items():
        if isinstance(value, (str, bool, int)) or key == "wsgi.version":
            out[key] = value
        else:
            out[key] = "<%s>" % type(value).__name__
    out["_pid"] = os.getpid()
    out["_thread"] = threading.current_thread().name
    out["_sys_path0"] = sys.path[0]
    out["_cwd"] = os.getcwd()
    environ["wsgi.errors"].write("environ_echo: %s %s\n" % (environ["REQUEST_METHOD"], environ["PATH_INFO"]))
    body = json.dumps(out).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
