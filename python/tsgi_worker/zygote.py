"""--preload: the zygote, a process that has imported the app (and the config file's hooks) once and forks the
workers from it, as Gunicorn's arbiter does with --preload. The workers share the app's memory until they write
to it, and one that dies or is recycled is replaced without importing the app again.

Node connects to the zygote's UNIX socket once per worker it wants; the zygote forks, and the worker serves on that
connection, exactly as a worker Node started serves on its socketpair. Frames (docs/wire.md, "Preload"): on the
new connection, Node's FORK (JSON: serial, ring size); on the control channel (fd 3) the zygote sends READY once
it listens, FORKED (serial, pid) after each fork and EXITED (pid, code, signal) when a worker it forked has
exited; Node's STOP, or the channel closing, ends it. A forked worker makes its own held-response ring, which Node
opens through /proc, and says so in its own FORKED frame (pid, ring descriptor); it holds responses only once
Node answers RING 1.
"""

from __future__ import annotations

import gc
import json
import mmap
import os
import selectors
import signal
import socket
import struct
import sys
import time
from typing import Optional, Tuple

from . import output, wire
from .channel import create_ring
from .lifetime import die_with_parent

# A connection that does not send its FORK frame within this long is dropped (it is not Node's).
FORK_READ_SECONDS = 5.0
_EXITED = struct.Struct(">IiI")


def serve(control: socket.socket, path: str) -> Tuple[socket.socket, Optional[mmap.mmap], Tuple[int, int, int]]:
    """Fork a worker for each connection to `path` (a socket in a folder only the front end's user may enter).
    Returns only in a forked worker: its channel, its held-response ring, and the descriptors of the ring and of
    the read ends of its own stdout and stderr pipes (output.py; -1: none). In the zygote it never returns; it exits when Node sends STOP or goes away."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(socket.SOMAXCONN)
    # A worker's exit (SIGCHLD) wakes the loop through this pair (the signal module writes to it).
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno())
    signal.signal(signal.SIGCHLD, _ignore)
    # Python's docs on gc.freeze: what the app allocated so far is never scanned by a worker's collections, which
    # would otherwise write to (and so copy) every page holding one of its objects.
    gc.freeze()
    info = "Python %s, preloaded, %s" % (sys.version.split()[0], sys.executable)
    _send(control, wire.encode_frame(wire.READY, 0, info.encode()))
    reader = wire.FrameReader()
    selector = selectors.DefaultSelector()  # not select(): an app may have opened a thousand files at import
    for sock in (listener, control, wake_r):
        selector.register(sock, selectors.EVENT_READ)
    while True:
        ready = [key.fileobj for key, _ in selector.select()]
        if wake_r in ready:
            _drain(wake_r)
            _reap(control)
        if control in ready:
            try:
                data = control.recv(65536)
            except OSError:
                data = b""
            if not data or any(kind == wire.STOP for kind, _, _ in reader.feed(data)):
                sys.exit(0)  # Node stops it once its workers have exited; atexit handlers run, as in Gunicorn's arbiter
        if listener in ready:
            forked = _fork(listener, control, (wake_r, wake_w))
            if forked is not None:
                selector.close()
                return forked


def _fork(
    listener: socket.socket, control: socket.socket, wake
) -> Optional[Tuple[socket.socket, Optional[mmap.mmap], Tuple[int, int, int]]]:
    """Accept a connection and fork its worker: in the worker, what serve() returns; in the zygote, None."""
    try:
        conn, _ = listener.accept()
    except OSError:
        time.sleep(0.1)  # out of descriptors, say: the connection waits in the backlog; do not spin on it
        return None
    try:
        # Only the front end that started us may have a worker.
        if _peer_pid(conn) not in (None, os.getppid()):
            raise ValueError("not the front end")
        conn.settimeout(FORK_READ_SECONDS)
        request = _read_fork(conn)
        conn.settimeout(None)
    except (OSError, ValueError):
        conn.close()
        return None
    zygote = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        conn.close()  # out of memory or processes: Node sees a worker that failed to boot, and tries again later
        return None
    if pid == 0:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for s in (listener, control) + wake:
            s.close()
        die_with_parent()
        if os.getppid() != zygote:
            os._exit(0)  # the zygote died before we asked to die with it
        # The channel on fd 3, as in a worker Node started (where the zygote's control channel was): a low number
        # that select() can watch, however many files the app opened at import.
        os.dup2(conn.fileno(), 3)
        conn.close()
        conn = socket.socket(fileno=3)
        fd, ring = create_ring(int(request.get("ring") or 0))
        return conn, ring, (fd,) + output.divert()
    conn.close()
    _send(control, wire.encode_frame(wire.FORKED, int(request["serial"]), wire.encode_forked(pid)))
    return None


def _read_fork(conn: socket.socket) -> dict:
    """The FORK frame, read to its last byte and no further: what follows it is the worker's."""
    head = _read_exactly(conn, wire.HEADER_SIZE)
    length, kind, _ = wire.HEADER.unpack(head)
    if kind != wire.FORK or length > 65536:
        raise ValueError("not a FORK frame")
    return json.loads(_read_exactly(conn, length - 5))


def _read_exactly(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ValueError("connection closed")
        data += chunk
    return data


def _peer_pid(conn: socket.socket) -> Optional[int]:
    """The pid of the process that connected (Linux's SO_PEERCRED), or None where there is no such option."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    return struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))[0]


def _reap(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = os.waitstatus_to_exitcode(status)
        payload = _EXITED.pack(pid, -1, -code) if code < 0 else _EXITED.pack(pid, code, 0)
        _send(control, wire.encode_frame(wire.EXITED, 0, payload))


def _send(control: socket.socket, frame: bytes) -> None:
    try:
        control.sendall(frame)
    except OSError:
        os._exit(0)  # Node is gone: so are the workers (they die with us)


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


def _ignore(signum, frame) -> None:
    """SIGCHLD needs a Python handler for the signal module to write to the wake-up pair."""
