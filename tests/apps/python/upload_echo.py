"""Reads wsgi.input in the way the path names and answers with JSON describing what it read."""

import hashlib
import json


def application(environ, start_response):
    stream = environ["wsgi.input"]
    mode = environ["PATH_INFO"].strip("/") or "read"
    if mode == "read":
        data = stream.read()
        result = {"length": len(data), "sha256": hashlib.sha256(data).hexdigest(), "again": len(stream.read())}
    elif mode == "read-n":
        parts = []
        while True:
            chunk = stream.read(7)
            if not chunk:
                break
            parts.append(len(chunk))
        result = {"parts": parts}
    elif mode == "readline":
        result = {"lines": [stream.readline().decode("latin-1"), stream.readline(3).decode("latin-1"), stream.readline().decode("latin-1")]}
    elif mode == "readlines":
        result = {"all": [l.decode("latin-1") for l in stream.readlines()]}
    elif mode == "readlines-hint":
        result = {"some": [l.decode("latin-1") for l in stream.readlines(5)]}
    elif mode == "iterate":
        result = {"lines": [l.decode("latin-1") for l in stream]}
    else:
        result = {"error": mode}
    result["CONTENT_LENGTH"] = environ.get("CONTENT_LENGTH")
    result["input_type"] = type(stream).__name__
    # A body spooled to a file: where it was, so that a test can see it removed after the request.
    result["input_path"] = getattr(stream, "name", None)
    body = json.dumps(result).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
