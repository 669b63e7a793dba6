"""Answers with $GREETING from the process environment: shows where `raw_env` / `-e` reached the app."""

import os


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [os.environ.get("GREETING", "no GREETING").encode() + b"\n"]
