"""Echoes the whole environ and the request body's length and sha256 as JSON, for comparing servers.

str values are sent as they are (byte strings: one character per byte); bools, ints and wsgi.version as JSON;
any other object as "<object TYPE>", since its repr differs from server to server.
"""

import hashlib
import json


def describe(value):
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return list(value)
    return "<object %s>" % type(value).__name__


def application(environ, start_response):
    body = environ["wsgi.input"].read()
    out = {
        "environ": {key: describe(value) for key, value in environ.items()},
        "body": {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()},
    }
    data = json.dumps(out, sort_keys=True).encode("ascii")
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
