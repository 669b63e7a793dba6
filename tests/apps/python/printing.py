"""Prints a JSON line to stdout and a line to stderr per request, as apps that log to the console do."""

import json
import sys


def application(environ, start_response):
    print(json.dumps({"event": "request", "path": environ["PATH_INFO"]}))
    sys.stderr.write("warning: caf\xe9 %s\n" % environ["PATH_INFO"])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
