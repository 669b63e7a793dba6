"""--preload: a forked worker's stdout and stderr. It inherits the zygote's, which Node logs under the zygote's pid;
so right after the fork each becomes a pipe of the worker's own, whose read end Node opens through
/proc/PID/fd/FD (the descriptors are in the worker's FORKED), and its lines are logged under the worker's pid.
Node's OUTPUT answers before anything else is sent: opened (the worker closes its read ends), or not (the
zygote's stdout and stderr come back, with what was written meanwhile). docs/wire.md, "Preload"."""

from __future__ import annotations

import os
from typing import Optional, Tuple

# Until OUTPUT: the read ends of the worker's pipes, and copies of the zygote's stdout and stderr.
_held: Optional[Tuple[int, int, int, int]] = None


def divert() -> Tuple[int, int]:
    """Fds 1 and 2 become pipes of this process's own; returns their read ends, or (-1, -1) when none could be made
    (then the output stays the zygote's)."""
    global _held
    try:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
    except OSError:
        return -1, -1
    saved_out, saved_err = os.dup(1), os.dup(2)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.close(out_w)
    os.close(err_w)
    _held = (out_r, err_r, saved_out, saved_err)
    return out_r, err_r


def reply(opened: bool) -> None:
    """Node's OUTPUT: it reads the pipes (their read ends are not ours to keep), or it could not open them."""
    global _held
    if _held is None:
        return
    out_r, err_r, saved_out, saved_err = _held
    _held = None
    if not opened:
        for read_end, fd, saved in ((out_r, 1, saved_out), (err_r, 2, saved_err)):
            os.set_blocking(read_end, False)
            written = b""
            try:
                while True:
                    chunk = os.read(read_end, 65536)
                    if not chunk:
                        break
                    written += chunk
            except BlockingIOError:
                pass
            os.dup2(saved, fd)
            view = memoryview(written)
            while view:
                view = view[os.write(fd, view) :]
    for fd in (out_r, err_r, saved_out, saved_err):
        os.close(fd)
