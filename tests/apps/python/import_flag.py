"""Imports fine until the file named by TSGI_TEST_IMPORT_FLAG exists: a deploy that broke the app under a
running server, seen when a worker is replaced."""
import os

if os.path.exists(os.environ.get("TSGI_TEST_IMPORT_FLAG", "/nonexistent")):
    raise RuntimeError("import broken on purpose")


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
