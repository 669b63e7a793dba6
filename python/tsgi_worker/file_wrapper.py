"""environ['wsgi.file_wrapper'] (PEP 3333 S15, "Optional Platform-Specific File Handling").

When the app returns a FileWrapper around a real file on disk, the worker does not read it: it tells Node the
path, offset and length, and which file it is (device and inode: the path may be given to another file before Node
opens it), in a FILE frame, and Node sends the file itself. Anything else is iterated in blocks.
"""

from __future__ import annotations

import os
import stat
from typing import Any, Iterator, Optional, Tuple


class FileWrapper:
    def __init__(self, filelike: Any, blksize: int = 8192) -> None:
        self.filelike = filelike
        self.blksize = blksize
        # S15: close() of the wrapper closes the file.
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self) -> Iterator[bytes]:
        read = self.filelike.read
        while True:
            data = read(self.blksize)
            if not data:
                return
            yield data


def sendable(body: Any) -> Optional[Tuple[str, int, int, int, int]]:
    """(absolute path, offset, length, device, inode) when `body` wraps a regular file that Node can open by path,
    else None."""
    if type(body) is not FileWrapper:
        return None
    f = body.filelike
    try:
        fd = f.fileno()
        name = f.name
    except (AttributeError, OSError, ValueError):
        return None
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if not isinstance(name, str) or "b" not in getattr(f, "mode", "rb"):
        return None
    try:
        opened = os.fstat(fd)
        on_disk = os.stat(name)
    except OSError:
        return None
    # The name must still lead to the very file that is open (not deleted, not replaced).
    if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (on_disk.st_dev, on_disk.st_ino):
        return None
    try:
        offset = f.tell()
    except (AttributeError, OSError):
        return None
    length = opened.st_size - offset
    if length <= 0:
        return None
    return os.path.abspath(name), offset, length, opened.st_dev, opened.st_ino
