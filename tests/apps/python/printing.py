"""Prints what apps that log to the console print: per request, a JSON line to stdout and a line to stderr;
/many/...?N prints N JSON lines more, as fast as it can."""

import json
import sys


def application(environ, start_response):
    path = environ["PATH_INFO"]
    print(json.dumps({"event": "request", "path": path}))
    sys.stderr.write("warning: caf\xe9 %s\n" % path)
    if path.startswith("/many/"):
        for i in range(int(environ.get("QUERY_STRING") or 0)):
            print(json.dumps({"event": "line", "path": path, "i": i, "padding": "x" * 100}))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
