"""environ['wsgi.input'] (PEP 3333 S5). Node has read the whole body before dispatch, so the input is either the
bytes (an io.BytesIO, made by the worker) or the temp file Node spooled a large body into. Both give read(n),
read(), readline(n), readlines(hint) and iteration, and never read past the end, because the body is exactly the
file or the bytes.
"""

from __future__ import annotations

from typing import BinaryIO


def input_from_file(path: str) -> BinaryIO:
    # Node owns the file and deletes it once the request is done; we only read it.
    return open(path, "rb")
