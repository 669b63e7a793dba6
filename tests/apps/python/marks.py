"""Writes 'ran NAME' to wsgi.errors as it starts, then sleeps: /?s=SECONDS&m=NAME. Shows which requests ran."""

import time
from urllib.parse import parse_qs


def application(environ, start_response):
    query = parse_qs(environ["QUERY_STRING"])
    environ["wsgi.errors"].write("ran %s\n" % query.get("m", ["?"])[0])
    time.sleep(float(query.get("s", ["0"])[0]))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"done"]
