"""Returns wsgi.file_wrapper around a real file (?path), from an offset (&offset), or around a BytesIO."""

import io
from urllib.parse import parse_qs


def application(environ, start_response):
    query = parse_qs(environ["QUERY_STRING"])
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    if environ["PATH_INFO"] == "/memory":
        return environ["wsgi.file_wrapper"](io.BytesIO(b"in memory, not on disk"), 4)
    f = open(query["path"][0], "rb")
    if "offset" in query:
        f.seek(int(query["offset"][0]))
    return environ["wsgi.file_wrapper"](f, 8192)
