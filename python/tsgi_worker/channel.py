"""The socket to Node, shared by the reader thread and the app threads, and the held-response ring.

Held responses (docs/wire.md): a worker with one thread that has two or more requests queued keeps the frames of
each whole response in a memory-mapped file that Node shares, instead of a system call per response, and sends
them with the next frames it sends, before it blocks, or once they have waited HOLD_SECONDS. Node can read that
file after a crash, so a response that was whole is delivered even if the worker dies before sending it, and
END still tells Node, in order, which requests have started.
"""

from __future__ import annotations

import mmap
import os
import select
import socket
import tempfile
import threading
import time
from time import monotonic
from typing import Callable, Optional, Tuple

from .wire import HEADER, OUTPUT, RING, STOP

RECV_SIZE = 256 * 1024

# The ring file: two u64 stream offsets (native byte order), then the held bytes. SENT: bytes of the stream sent
# before the held ones (which start at RING_HEADER); WRITTEN: the stream's length with the held ones. Each is
# stored by one aligned 8-byte write, so Node, reading after a crash, sees an old or a new value, never a mix.
RING_HEADER = 64
SENT, WRITTEN = 0, 1
# Between requests, frames held longer than this are sent before the next request starts.
HOLD_SECONDS = 0.002
# A request that runs long while frames are held: the flusher thread sends them. It checks every FLUSHER_SECONDS
# after it found frames that had waited, doubling the period up to FLUSHER_MAX_SECONDS while it finds none: each
# check takes the GIL from the app (a forced switch, two context switches), so a busy worker that never needs it
# pays for a few checks a second. Held frames wait at most about one period, plus one GIL switch interval while the
# app runs Python code.
FLUSHER_SECONDS = 0.01
FLUSHER_MAX_SECONDS = 0.1
# The flusher sleeps (parked on a lock) after this many checks in a row found nothing held: the worker is idle.
PARK_AFTER_CHECKS = 25


class Channel:
    def __init__(self, sock: socket.socket, ring: Optional[mmap.mmap] = None) -> None:
        self.sock = sock
        self._send_lock = threading.Lock()
        # One condition for every request's credit, abort and file reply: few threads wait on it.
        self.cond = threading.Condition()
        # Single-threaded mode (threads = 1): no reader thread; waiting reads and dispatches frames right here.
        self.pump: Optional[Callable[[], None]] = None
        # Set by the single-threaded worker loop: a whole response may be held (more requests are queued).
        self.holding = False
        self._ring: Optional[mmap.mmap] = None
        self._view: Optional[memoryview] = None
        self._marks: Optional[memoryview] = None
        self._capacity = 0
        self._sent = 0  # stream offsets, as in the ring's header
        self._written = 0
        # A forked worker's own ring, offered to Node in its FORKED frame; used once Node says it can read it (RING).
        self.offered: Optional[mmap.mmap] = None
        # Bytes read before the worker's loop began (a forked worker's start: await_output), read by it first.
        self.unread = b""
        if ring is not None:
            self._use_ring(ring)
        self.held_at = 0.0  # monotonic() when the frames held now began to be held
        # Single-threaded mode: frames the flusher read (giving requests back) that the worker's own thread applies
        # at its next read, in order: CREDIT, ABORT, STOP and the like are applied by that thread only.
        self.deferred: list = []
        # Single-threaded mode: called by the flusher at each check; True while it should stay awake (a request
        # runs: the worker may give back those queued behind it).
        self.on_tick: Optional[Callable[[], bool]] = None
        self._flusher = False
        self._parked = False
        self._unpark = threading.Lock()
        self._unpark.acquire()

    def _use_ring(self, ring: mmap.mmap) -> None:
        self._ring = ring
        self._view = memoryview(ring)
        self._marks = self._view[:16].cast("Q")
        self._capacity = len(ring) - RING_HEADER
        self._marks[SENT] = self._sent
        self._marks[WRITTEN] = self._written

    def ring_reply(self, opened: bool) -> None:
        """Node's RING: it opened the offered ring (from now on whole responses may be held, the flusher runs) or
        could not (nothing is ever held: what Node cannot read after a crash must not wait in it)."""
        ring, self.offered = self.offered, None
        if ring is None:
            return
        if not opened:
            ring.close()
            return
        with self._send_lock:
            self._use_ring(ring)
        if self.pump is not None:
            self.start_flusher()

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
            if self.unread:
                data, self.unread = self.unread, b""
                return data
            try:
                n = recv_into(buffer)
            except OSError:
                return b""
            return bytes(view[:n])

        return recv

    def await_output(self, reply: Callable[[bool], None]) -> None:
        """A forked worker, after its FORKED: read Node's answers to it, RING and then OUTPUT (`reply`), before
        anything else runs (its output would otherwise wait in pipes nobody reads). What follows them stays
        unread for the worker's loop; STOP or the channel closing meanwhile ends the process."""
        data = b""
        while True:
            while len(data) >= HEADER.size:
                length, kind, _ = HEADER.unpack_from(data)
                end = 4 + length
                if len(data) < end:
                    break
                payload, data = data[HEADER.size : end], data[end:]
                if kind == RING:
                    self.ring_reply(payload[:1] == b"\x01")
                elif kind == OUTPUT:
                    reply(payload[:1] == b"\x01")
                    self.unread = data
                    return
                elif kind == STOP:  # the server stops before this worker booted
                    os._exit(0)
            chunk = self.sock.recv(RECV_SIZE)
            if not chunk:
                os._exit(0)  # Node closed the channel or died: nobody is left to answer
            data += chunk

    def poll(self) -> None:
        """Single-threaded mode: take in frames already waiting (an ABORT for a long stream), never blocking.
        With a reader thread this is nothing: it applies frames as they come."""
        if self.pump is not None and (self.deferred or select.select([self.sock], [], [], 0)[0]):
            self.pump()

    def send(self, data) -> None:
        """Send now, after anything held. One sendall per message: callers join their frames first (one system
        call, WORKERS.md)."""
        with self._send_lock:
            if self._written != self._sent:
                if self._written - self._sent + len(data) <= self._capacity:
                    self._hold(data)
                    self._send_held()
                    return
                self._send_held()
            self.sock.sendall(data)
            self._advance(len(data))

    def deliver(self, data) -> None:
        """A whole response's frames (up to its END or COMPLETE): held while the worker is holding, else sent."""
        if not self.holding or self._ring is None:
            self.send(data)
            return
        with self._send_lock:
            held = self._written - self._sent
            if held + len(data) > self._capacity:
                if held:
                    self._send_held()
                    held = 0
                if len(data) > self._capacity:
                    self.sock.sendall(data)
                    self._advance(len(data))
                    return
            if not held:
                self.held_at = monotonic()
                self._wake()
            self._hold(data)

    def release(self) -> None:
        """Send what is held: the queue ran low, or the worker is about to block."""
        if self._written != self._sent:
            with self._send_lock:
                if self._written != self._sent:
                    self._send_held()

    def release_late(self, now: float) -> None:
        """Send what is held if it has waited longer than HOLD_SECONDS (checked between requests)."""
        if self._written != self._sent and now - self.held_at > HOLD_SECONDS:
            self.release()

    def _hold(self, data) -> None:
        start = RING_HEADER + self._written - self._sent
        self._view[start : start + len(data)] = data
        self._written += len(data)
        self._marks[WRITTEN] = self._written  # after the bytes: a crash before it leaves them unseen

    def _send_held(self) -> None:
        self.sock.sendall(self._view[RING_HEADER : RING_HEADER + self._written - self._sent])
        self._sent = self._written
        self._marks[SENT] = self._sent

    def _advance(self, n: int) -> None:
        """After a direct send: SENT first, so that a crash between the two leaves SENT > WRITTEN, which Node reads
        as nothing held."""
        self._sent = self._written = self._sent + n
        if self._marks is not None:
            self._marks[SENT] = self._sent
            self._marks[WRITTEN] = self._written

    def wake_flusher(self) -> None:
        """A request starts with others queued behind it: the flusher checks on it (Worker: give back)."""
        if self._parked:
            with self._send_lock:
                self._wake()

    def _wake(self) -> None:
        # Under the send lock.
        if self._parked:
            self._parked = False
            self._unpark.release()

    def start_flusher(self) -> None:
        """Single-threaded mode: a thread that, while a request runs long (a slow app, a slow close()), sends held
        frames (the worker itself sends them only between requests) and gives back the requests queued behind it
        (on_tick). It parks while nothing is held and no request runs."""
        if not self._flusher:
            self._flusher = True
            threading.Thread(target=self._flush_late, name="tsgi-flusher", daemon=True).start()

    def _flush_late(self) -> None:
        idle = 0
        period = FLUSHER_SECONDS
        while True:
            time.sleep(period)
            park = late = False
            busy = self.on_tick is not None and self.on_tick()
            with self._send_lock:
                if self._written == self._sent:
                    idle = 0 if busy else idle + 1
                    if idle >= PARK_AFTER_CHECKS:
                        park = self._parked = True
                else:
                    idle = 0
                    late = monotonic() - self.held_at > HOLD_SECONDS
                    if late:
                        try:
                            self._send_held()
                        except OSError:
                            return  # Node is gone: the worker's own next read or send ends it
            period = FLUSHER_SECONDS if late or park else min(period * 2, FLUSHER_MAX_SECONDS)
            if park:
                idle = 0
                self._unpark.acquire()


def open_ring(fd: Optional[int], size: int) -> Optional[mmap.mmap]:
    """The file Node passed for held responses (fd 4), mapped; None without one (then nothing is held)."""
    if fd is None or size <= RING_HEADER:
        return None
    try:
        return mmap.mmap(fd, size)
    except (OSError, ValueError):
        return None


def create_ring(size: int) -> Tuple[int, Optional[mmap.mmap]]:
    """A worker forked by the zygote (--preload) makes its own ring, as Node does for the workers it starts
    (held-ring.ts): in /dev/shm where there is one, else the temp folder, unlinked at once (it lives as long as its
    descriptors) and written out (a full /dev/shm fails here, not later with SIGBUS). Node opens it through
    /proc/PID/fd/FD. Returns (FD, the mapping), or (-1, None) when none can be made: every response is sent at once."""
    if size <= RING_HEADER:
        return -1, None
    for folder in ("/dev/shm", tempfile.gettempdir()):
        try:
            fd, path = tempfile.mkstemp(prefix="tsgi-held-", dir=folder)
        except OSError:
            continue
        try:
            os.unlink(path)
            zeros = bytes(size)
            written = 0
            while written < size:
                written += os.write(fd, zeros[written:])
            return fd, mmap.mmap(fd, size)
        except OSError:
            os.close(fd)
    return -1, None


class ClientGone(OSError):
    """Raised inside write() and the body loop once Node said the client went away."""

    def __init__(self) -> None:
        super().__init__("client disconnected")
