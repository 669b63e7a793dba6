"""Streaming responses: a generator, write(), exc_info, and close() bookkeeping written to a marker file."""

import os
import sys
import time

MARKS = os.environ.get("TSGI_TEST_MARKS", "/tmp/tsgi-marks")


def mark(text):
    with open(MARKS, "a") as f:
        f.write(text + "\n")


class Body:
    """An iterable with close(), which records that close() ran."""

    def __init__(self, name, chunks, delay=0.0, errors=None, size=65536):
        self.name = name
        self.chunks = chunks
        self.delay = delay
        self.errors = errors
        self.size = size

    def __iter__(self):
        for i in range(self.chunks):
            if self.errors is not None:
                self.errors.write("produced %d\n" % i)
            yield b"x" * self.size
            if self.delay:
                time.sleep(self.delay)

    def close(self):
        mark("closed " + self.name)


def wait_for_release(name):
    """Block until the test creates the release file for `name` (after it got the response), up to 5 s."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if os.path.exists(MARKS + ".release." + name):
            mark("released " + name)
            return
        time.sleep(0.01)
    mark("timed out " + name)


class SlowClose:
    """A whole body whose close() blocks until the test has the response (as request_finished handlers may)."""

    def __init__(self, name, chunks):
        self.name = name
        self.chunks = chunks

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        wait_for_release(self.name)


def application(environ, start_response):
    path = environ["PATH_INFO"]
    query = environ["QUERY_STRING"]
    if path == "/slow-generator":
        # Chunks 50 ms apart: the response never arrives whole in one read (its length is not known up front).
        start_response("200 OK", [("Content-Type", "text/plain")])

        def slowly():
            for i in range(3):
                time.sleep(0.05)
                yield b"chunk %d\n" % i

        return slowly()
    if path == "/generator":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (b"chunk %d\n" % i for i in range(5))
    if path == "/write":
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        write(b"then ")
        return [b"returned"]
    if path == "/exc-info-before":
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise ValueError("replaced")
        except ValueError:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"error page"]
    if path == "/exc-info-after":
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"partial")
        try:
            raise ValueError("too late")
        except ValueError:
            start_response("500 Internal Server Error", [], sys.exc_info())
        return [b"never"]
    if path == "/second-start-response":
        start_response("200 OK", [])
        start_response("200 OK", [])
        return [b""]
    if path == "/closing":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return Body(query or "closing", 64, delay=0.02)
    if path == "/bad-status":
        # A status the contract refuses (no reason phrase): start_response raises, here uncaught.
        start_response("200", [("Content-Type", "text/plain")])
        return [b"never"]
    if path == "/bad-header-caught":
        # start_response raises while the app runs (PEP 3333 S9), so the app can answer otherwise.
        try:
            start_response("200 OK", [("X-User", "evil\r\nSet-Cookie: x=1")])
        except ValueError as error:
            start_response("400 Bad Request", [("Content-Type", "text/plain")], sys.exc_info())
            return [str(error).encode()]
        return [b"accepted"]
    if path == "/trickle":
        # Small chunks, slowly (like server-sent events): far below the flow-control window.
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body(query or "trickle", 200, delay=0.02, size=10)
    if path == "/big":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return Body("big", int(query or "100"), errors=environ["wsgi.errors"])
    if path == "/list":
        # A list without Content-Length: its frames leave in one sendall with END, so Node reads it whole.
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"one ", b"list"]
    if path == "/stderr-partial":
        # Output without a newline, as a progress indicator writes it: it must reach the log all the same.
        sys.stderr.write("progress %s" % query)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    if path == "/empty":
        start_response("204 No Content", [])
        return []
    if path == "/raise":
        raise RuntimeError("boom before headers")
    if path == "/raise-after":
        start_response("200 OK", [])

        def body():
            yield b"first"
            raise RuntimeError("boom after headers")

        return body()
    if path == "/close-past-timeout":
        # A whole body, then a close() that runs past the server's --timeout.
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "6")])
        body = SlowClose(query, [b"hello\n"])
        body.close = lambda: time.sleep(3)
        return body
    if path == "/past-length":
        # The declared body is whole after the first chunk; the generator would go on, without end.
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "6")])

        def body():
            try:
                yield b"hello\n"
                while True:
                    yield b"more than declared\n"
                    time.sleep(0.01)
            except GeneratorExit:
                mark("stopped " + query)
                raise

        return body()
    if path == "/slow-close":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "6")])
        return SlowClose(query, [b"hello\n"])
    if path == "/chunked-slow-close":
        # No Content-Length: the body's end is known only when the iterable is exhausted, then close() runs.
        start_response("200 OK", [("Content-Type", "text/plain")])
        return SlowClose(query, [b"hel", b"lo\n"])
    if path == "/redirect-slow-close":
        start_response("302 Found", [("Location", "/elsewhere"), ("Content-Length", "0")])
        return SlowClose(query, [b""])
    start_response("404 Not Found", [])
    return [b"not found"]
