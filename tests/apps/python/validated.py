"""An app wrapped in wsgiref.validate.validator, which asserts (or warns) on any breach of PEP 3333 by the app
or by the server: environ keys and types, wsgi.input and wsgi.errors methods, start_response, iteration, close().

/read reads the body as the validator allows (readline(), readline(n), then read(n) up to CONTENT_LENGTH);
/stream returns a generator; /write uses the write() callable; anything else says hello.
"""

import hashlib
import json
from wsgiref.validate import validator


def read_body(environ):
    stream = environ["wsgi.input"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    parts = [stream.readline(), stream.readline(8)]
    remaining = length - sum(len(p) for p in parts)
    while remaining > 0:
        chunk = stream.read(min(1000, remaining))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    parts.append(stream.read(1))  # at the end: b""
    return parts


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/read":
        parts = read_body(environ)
        data = b"".join(parts)
        body = json.dumps({
            "length": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "first_line": parts[0].decode("latin-1"),
            "second_read": parts[1].decode("latin-1"),
            "read_at_end": parts[-1].decode("latin-1"),
        }).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (b"part %d\n" % i for i in range(20))
    if path == "/write":
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written, ")
        return [b"then returned\n"]
    environ["wsgi.errors"].write("validated: %s %s\n" % (environ["REQUEST_METHOD"], path))
    environ["wsgi.errors"].flush()
    body = b"validated hello\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


application = validator(app)
