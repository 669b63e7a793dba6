"""Returns wsgi.file_wrapper around a real file (?path), from an offset (&offset), or around a BytesIO.

/swapped?path=P&other=Q: the file at P, and once it is open (while the server looks at the wrapper) the file Q is
renamed over P, as an atomic deploy does: the app's file is the one to send, not what P names by then.
"""

import io
import os
from urllib.parse import parse_qs


class SwappedAway(io.FileIO):
    def __init__(self, path, other):
        super().__init__(path, "rb")
        self.other = other

    def tell(self):
        if self.other is not None:
            os.replace(self.other, self.name)
            self.other = None
        return super().tell()


def application(environ, start_response):
    query = parse_qs(environ["QUERY_STRING"])
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    if environ["PATH_INFO"] == "/memory":
        return environ["wsgi.file_wrapper"](io.BytesIO(b"in memory, not on disk"), 4)
    if environ["PATH_INFO"] == "/swapped":
        return environ["wsgi.file_wrapper"](SwappedAway(query["path"][0], query["other"][0]), 8192)
    f = open(query["path"][0], "rb")
    if "offset" in query:
        f.seek(int(query["offset"][0]))
    return environ["wsgi.file_wrapper"](f, 8192)
