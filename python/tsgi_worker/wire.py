"""The frame codec, mirror of src/runtimes/python/wire.ts. The spec is docs/wire.md.

Every frame: u32 length (of everything after it), u8 type, u32 request id, then the payload; big-endian.
A string list has two forms (docs/wire.md):
  separated: u32 (count | SEPARATED), u32 byte length, the strings joined by NUL -- used when no string has a NUL
             (fast path: Python splits it in C; a loop over lengths costs more than json.loads)
  lengths:   u32 count, count x u32 byte lengths, then the bytes back to back -- for strings that contain NUL
"""

from __future__ import annotations

import struct
import sys
from typing import List, Sequence, Tuple

HEADER = struct.Struct(">IBI")
HEADER_SIZE = HEADER.size  # 9
_U32 = struct.Struct(">I")
_FILE = struct.Struct(">QQQQ")

# Node -> Python
REQUEST = 0x01  # string lists (environ keys, then values) + the whole body
REQUEST_FILE = 0x02  # string lists (environ keys, then values) + UTF-8 path of a file holding the whole body
CREDIT = 0x03  # u32: more body bytes the worker may send for this request
ABORT = 0x04  # the client went away: stop the response, call close()
FILE_REPLY = 0x05  # u8: 1 = Node opened the FILE and will send it, 0 = iterate the body instead
STOP = 0x06  # finish the queued requests, then exit
FORK = 0x07  # --preload: first frame on a connection to the zygote; UTF-8 JSON of the worker's settings (zygote.py)
RING = 0x08  # --preload, u8: 1 = Node opened the ring the forked worker offered in its FORKED (it may hold), 0 = not
OUTPUT = 0x09  # --preload, u8: 1 = Node opened the forked worker's stdout and stderr pipes (from its FORKED), 0 = not

# Python -> Node
HEADERS = 0x41  # string list: status, name, value, name, value ...
BODY = 0x42  # body bytes
END = 0x43  # the response is complete (terminal)
ERROR = 0x44  # the app raised: UTF-8 traceback (terminal)
FILE = 0x45  # u64 offset, u64 length, u64 device, u64 inode, UTF-8 path: Node sends that part of that file
LOG = 0x46  # UTF-8 text written to wsgi.errors
EARLY_HINTS = 0x47  # string list: name, value, name, value ... for a 103 Early Hints before the response
COMPLETE = 0x48  # the response is whole (body ended, or its Content-Length reached): close() runs next, then END
GIVE_BACK = 0x49  # id 0, u32 ids: requests queued behind one that runs long, never to be started here (Node re-sends)
READY = 0x50  # the app is imported; payload: UTF-8 description
IMPORT_FAILED = 0x51  # string list (UTF-8): exception type, message, traceback
FORKED = 0x52  # --preload: from the zygote, u32 pid (request id: the FORK's serial); from the worker, + i32 ring, stdout, stderr fds
EXITED = 0x53  # --preload, from the zygote: u32 pid, i32 exit code (-1: none), u32 signal number (0: none)
HEARTBEAT = 0x54  # -k gevent or threads > 1, every `heartbeat` seconds: the worker runs Python (none while blocked)

# Initial per-request credit: body bytes a worker may send before Node grants more (flow control).
WINDOW = 256 * 1024

NAMES = {
    REQUEST: "REQUEST",
    REQUEST_FILE: "REQUEST_FILE",
    CREDIT: "CREDIT",
    ABORT: "ABORT",
    FILE_REPLY: "FILE_REPLY",
    STOP: "STOP",
    FORK: "FORK",
    RING: "RING",
    OUTPUT: "OUTPUT",
    HEADERS: "HEADERS",
    BODY: "BODY",
    END: "END",
    ERROR: "ERROR",
    FILE: "FILE",
    LOG: "LOG",
    EARLY_HINTS: "EARLY_HINTS",
    COMPLETE: "COMPLETE",
    GIVE_BACK: "GIVE_BACK",
    READY: "READY",
    IMPORT_FAILED: "IMPORT_FAILED",
    FORKED: "FORKED",
    EXITED: "EXITED",
    HEARTBEAT: "HEARTBEAT",
}


def frame_header(kind: int, rid: int, payload_length: int) -> bytes:
    return HEADER.pack(payload_length + 5, kind, rid)


def encode_frame(kind: int, rid: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(len(payload) + 5, kind, rid) + payload


SEPARATED = 0x80000000
_SEPARATED_HEAD = _TWO_U32 = struct.Struct(">II")


def encode_strings(items: Sequence[bytes]) -> bytes:
    n = len(items)
    joined = b"\0".join(items)
    if n > 0 and joined.count(b"\0") == n - 1:
        return _SEPARATED_HEAD.pack(n | SEPARATED, len(joined)) + joined
    return struct.pack(">I%dI" % n, n, *[len(b) for b in items]) + b"".join(items)


_TEXT_FRAME_HEAD = struct.Struct(">IBIII")  # frame header, then the separated form's count and byte length


def encode_text_frame(kind: int, rid: int, items: Sequence[str]) -> bytes:
    """A frame whose payload is a string list of str items that must be latin-1 (S3: the status line, header
    names and values), e.g. HEADERS.

    Fast path: one join and one encode for the whole list, one pack for both headers. A string that is not
    latin-1 raises its own UnicodeEncodeError, naming the offending text, as encoding it alone would; an item
    that is not a str raises the join's TypeError.
    """
    try:
        joined = "\0".join(items).encode("latin-1")
    except UnicodeEncodeError:
        for item in items:
            item.encode("latin-1")
        raise
    n = len(items)
    if n > 0 and joined.count(b"\0") == n - 1:
        size = len(joined)
        return _TEXT_FRAME_HEAD.pack(size + 13, kind, rid, n | SEPARATED, size) + joined
    return encode_frame(kind, rid, encode_strings([item.encode("latin-1") for item in items]))


def decode_strings(buf: bytes, offset: int = 0) -> Tuple[List[bytes], int]:
    """The byte strings of a string list at `offset`, and the offset just past it."""
    (n,) = _U32.unpack_from(buf, offset)
    offset += 4
    if n & SEPARATED:
        (size,) = _U32.unpack_from(buf, offset)
        end = offset + 4 + size
        return buf[offset + 4 : end].split(b"\0"), end
    lengths = struct.unpack_from(">%dI" % n, buf, offset)
    offset += 4 * n
    out = []
    for length in lengths:
        out.append(buf[offset : offset + length])
        offset += length
    return out, offset


def _text_list(buf: bytes, offset: int) -> Tuple[List[str], int]:
    """A string list of byte strings as str (PEP 3333: latin-1 'bytes as str'), and the offset just past it.

    Fast path (separated form): one latin-1 decode of the whole block, then one split in C.
    """
    (n,) = _U32.unpack_from(buf, offset)
    if n & SEPARATED:
        (size,) = _U32.unpack_from(buf, offset + 4)
        end = offset + 8 + size
        return buf[offset + 8 : end].decode("latin-1").split("\0"), end
    lengths = struct.unpack_from(">%dI" % n, buf, offset + 4)
    start = offset + 4 + 4 * n
    end = start + sum(lengths)
    text = buf[start:end].decode("latin-1")
    out = []
    pos = 0
    for length in lengths:
        out.append(text[pos : pos + length])
        pos += length
    return out, end


def _list_end(buf: bytes, offset: int) -> int:
    (n,) = _U32.unpack_from(buf, offset)
    if n & SEPARATED:
        return offset + 8 + _U32.unpack_from(buf, offset + 4)[0]
    return offset + 4 + 4 * n + sum(struct.unpack_from(">%dI" % n, buf, offset + 4))


class EnvironDecoder:
    """A REQUEST's environ (two string lists: its keys, then their values) as a dict, over `base`.

    One client's requests carry the same keys byte for byte, so each distinct key list is decoded once into a
    template: the keys, interned (the app's own 'PATH_INFO' literals find them by identity), with `base` and
    'wsgi.url_scheme' already in place. A request then costs one copy of the template and one update with its
    values. At most MAX_TEMPLATES key lists are kept; past that the cache starts afresh (a client varying its
    header names costs decoding, never memory).
    """

    MAX_TEMPLATES = 256

    def __init__(self, base: dict) -> None:
        self._base = base
        self._templates: dict = {}

    def decode(self, buf: bytes) -> Tuple[dict, int]:
        """The environ, and the offset of what follows it (the body, or the path of its file)."""
        count, size = _TWO_U32.unpack_from(buf, 0)
        if count & SEPARATED:
            kend = 8 + size
        else:
            kend = _list_end(buf, 0)
        block = buf[:kend]
        found = self._templates.get(block)
        if found is None:
            found = self._template(block)
        keys, template = found
        # Fast path (inline, as a function call costs as much as the work): the values in the separated form.
        count, size = _TWO_U32.unpack_from(buf, kend)
        if count & SEPARATED:
            end = kend + 8 + size
            values = buf[kend + 8 : end].decode("latin-1").split("\0")
        else:
            values, end = _text_list(buf, kend)
        if len(values) != len(keys):
            raise ValueError("environ has %d keys but %d values" % (len(keys), len(values)))
        environ = template.copy()
        environ.update(zip(keys, values))
        return environ, end

    def _template(self, block: bytes):
        keys = tuple(sys.intern(k) for k in _text_list(block, 0)[0])
        template = dict.fromkeys(keys)
        template.update(self._base)
        template.setdefault("wsgi.url_scheme", "http")
        if len(self._templates) >= self.MAX_TEMPLATES:
            self._templates.clear()
        found = self._templates[block] = (keys, template)
        return found


def decode_environ(buf: bytes) -> Tuple[dict, int]:
    """A REQUEST's environ with nothing added (no template cache, no base keys), and the offset of the tail."""
    keys, kend = _text_list(buf, 0)
    values, end = _text_list(buf, kend)
    return dict(zip(keys, values)), end


def encode_environ(keys: Sequence[bytes], values: Sequence[bytes]) -> bytes:
    return encode_strings(keys) + encode_strings(values)


_FORKED = struct.Struct(">Iiii")


def encode_forked(pid: int, ring_fd: int = -1, stdout_fd: int = -1, stderr_fd: int = -1) -> bytes:
    """FORKED's payload: the worker's pid and, from the worker itself, the descriptors of its ring and of the read
    ends of its stdout and stderr pipes (-1: none)."""
    return _FORKED.pack(pid, ring_fd, stdout_fd, stderr_fd)


def encode_credit(n: int) -> bytes:
    return _U32.pack(n)


def decode_credit(payload: bytes) -> int:
    return _U32.unpack_from(payload, 0)[0]


def encode_ids(ids: List[int]) -> bytes:
    """GIVE_BACK's payload: request ids, u32 each, in the order they arrived."""
    return struct.pack(">%dI" % len(ids), *ids)


def decode_ids(payload: bytes) -> List[int]:
    return list(struct.unpack(">%dI" % (len(payload) // 4), payload[: len(payload) // 4 * 4]))


def encode_file(path: str, offset: int, length: int, device: int, inode: int) -> bytes:
    return _FILE.pack(offset, length, device, inode) + path.encode("utf-8", "surrogateescape")


def decode_file(payload: bytes) -> Tuple[str, int, int, int, int]:
    """(path, offset, length, device, inode)"""
    offset, length, device, inode = _FILE.unpack_from(payload, 0)
    return payload[_FILE.size :].decode("utf-8", "surrogateescape"), offset, length, device, inode


class FrameReader:
    """Splits a byte stream into frames: feed() what recv() returned, get back the complete frames."""

    def __init__(self) -> None:
        self._held = bytearray()  # the start of a frame that has not arrived whole

    def feed(self, data: bytes) -> List[Tuple[int, int, bytes]]:
        held = self._held
        if held:
            held += data
            # A large frame (a body) comes in many reads: wait for all of it before copying anything.
            if len(held) < HEADER_SIZE or _U32.unpack_from(held, 0)[0] + 4 > len(held):
                return []
            data = bytes(held)
            held.clear()
        frames = []
        pos = 0
        size = len(data)
        unpack = HEADER.unpack_from
        while size - pos >= HEADER_SIZE:
            length, kind, rid = unpack(data, pos)
            end = pos + 4 + length
            if end > size:
                break
            frames.append((kind, rid, data[pos + HEADER_SIZE : end]))
            pos = end
        if pos < size:
            held += memoryview(data)[pos:]
        return frames
