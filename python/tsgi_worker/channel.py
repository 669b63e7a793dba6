"""The socket to Node, shared by the reader thread and the app threads."""

from __future__ import annotations

import select
import socket
import threading
from typing import Callable, Optional

RECV_SIZE = 256 * 1024


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._send_lock = threading.Lock()
        # One condition for every request's credit, abort and file reply: few threads wait on it.
        self.cond = threading.Condition()
        # Single-threaded mode (threads = 1): no reader thread; waiting reads and dispatches frames right here.
        self.pump: Optional[Callable[[], None]] = None

    def wait(self, ready: Callable[[], bool]) -> None:
        """Block until ready(): fed by the reader thread, or (single-threaded) by reading frames on this thread."""
        if self.pump is None:
            with self.cond:
                while not ready():
                    self.cond.wait()
        else:
            while not ready():
                self.pump()

    def receiver(self) -> Callable[[], bytes]:
        """A function returning what one recv brought (b"" at end). It reads into one reused buffer: a plain
        recv(256 KiB) allocates, and the allocator maps and unmaps that much memory, on every call."""
        buffer = bytearray(RECV_SIZE)
        view = memoryview(buffer)
        recv_into = self.sock.recv_into

        def recv() -> bytes:
            try:
                n = recv_into(buffer)
            except OSError:
                return b""
            return bytes(view[:n])

        return recv

    def poll(self) -> None:
        """Single-threaded mode: take in frames already waiting (an ABORT for a long stream), never blocking.
        With a reader thread this is nothing: it applies frames as they come."""
        if self.pump is not None and select.select([self.sock], [], [], 0)[0]:
            self.pump()

    def send(self, data) -> None:
        """One sendall per message: callers join their frames first (one system call, WORKERS.md)."""
        with self._send_lock:
            self.sock.sendall(data)


class ClientGone(OSError):
    """Raised inside write() and the body loop once Node said the client went away."""

    def __init__(self) -> None:
        super().__init__("client disconnected")
