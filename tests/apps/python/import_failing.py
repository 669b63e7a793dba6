"""Fails at import time, as an app with a missing dependency does."""

import tsgi_no_such_module  # noqa: F401


def application(environ, start_response):  # pragma: no cover - never reached
    start_response("200 OK", [])
    return [b""]
