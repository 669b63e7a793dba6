"""One request through the app (PEP 3333 S8-S15), mirror of src/gateway/response.ts: start_response, write(),
exc_info, body iteration, close(). Frames are collected and sent with one sendall per flush; a whole response's
frames go through Channel.deliver, which may hold them while more requests are queued.
"""

from __future__ import annotations

import re
import traceback
from typing import Any, List, Optional

from . import wire
from .channel import Channel, ClientGone
from .file_wrapper import FileWrapper, sendable

_pack = wire.HEADER.pack


def _not_str(status, headers) -> str:
    """Why encoding a status line and headers failed with a TypeError: the first item that is not a str."""
    if type(status) is not str:
        return "status must be a str such as '200 OK', not %s" % type(status).__name__
    for header in headers:
        if type(header[0]) is not str or type(header[1]) is not str:
            return "header name and value must be str (PEP 3333 S9): %r" % (header,)
    return "status and headers must be str (PEP 3333 S9)"


# RFC 9110 §5.6.2 (token) and §5.5 (no CR, LF or NUL in a field value): what Gunicorn checks in an early hint.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(r"[\r\n\0]")

# PEP 3333 S9: "servers should check for errors in the headers at the time start_response is called, so that an
# error can be raised while the application is still running". The rules are those of Node's gateway, which checks
# again (validateStatus, validateHeaders in src/gateway/response.ts): a final status (200-599), a space and a
# reason phrase; header names that are tokens; values without control characters but TAB. Latin-1 is the encoder's.
_STATUS = re.compile(r"[2-5][0-9][0-9] [^\x00-\x1f\x7f]*[^ \xa0\x00-\x1f\x7f]\Z")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Statuses, and header names, already found valid: an app sends the same few on every request. Two sets: a token
# such as '200' is a valid header name but not a valid status.
_valid_statuses: set = set()
_valid_names: set = set()


def _check_head(status: str, headers: list) -> Optional[int]:
    """Raises on a status or header the server would refuse; returns the declared Content-Length (its first
    number, as Node takes it), or None."""
    if status not in _valid_statuses:
        if not _STATUS.match(status):
            raise ValueError(
                "invalid status %r: it must be the three-digit code of a final response (200-599), a space and a "
                "reason phrase, e.g. '200 OK' (PEP 3333 S9)" % (status,)
            )
        _remember(_valid_statuses, status)
    length = None
    for name, value in headers:
        if name not in _valid_names:
            if not _TOKEN.fullmatch(name):
                raise ValueError("response header name %r is not an HTTP token (PEP 3333 S9)" % (name,))
            _remember(_valid_names, name)
        if len(name) == 14 and name.lower() == "content-length":
            digits = value.strip(" \t")  # RFC 9110 §5.5: whitespace around a value is not part of it
            # RFC 9110 §8.6: one length; two numbers that disagree cannot both frame the body (one that is not a
            # number is dropped by Node, with a warning).
            if digits.isdigit() and digits.isascii():
                if length is not None and int(length) != int(digits):
                    raise ValueError("two Content-Length headers disagree (%s and %s)" % (length, digits))
                length = digits
        if _CONTROL.search(value):
            # The name only: the value may hold data that should not travel in an error message (as Gunicorn).
            raise ValueError("response header %r has a control character (CR, LF, NUL…) in its value (PEP 3333 S9)" % name)
    return None if length is None else int(length)


def _request_line(environ: dict) -> str:
    """'GET /path?query', as the error log names a request."""
    query = environ.get("QUERY_STRING")
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return "%s %s%s" % (environ.get("REQUEST_METHOD", "?"), path, "?" + query if query else "")


def _remember(valid: set, text: str) -> None:
    if len(valid) >= 1024:
        valid.clear()  # an app varying them without end costs checks, never memory
    valid.add(text)


class Response:
    """One request's response, and what the reader learns about it while the app runs (credit, abort, file reply)."""

    __slots__ = (
        "channel", "rid", "credit", "aborted", "file_reply",
        "headers", "head", "headers_sent", "head_flushed", "out", "sent", "finished", "length", "whole",
        "streamed", "announced",
    )  # fmt: skip

    def __init__(self, channel: Channel, rid: int) -> None:
        self.channel = channel
        self.rid = rid
        # Updated by the frame reader (CREDIT, ABORT, FILE_REPLY), under channel.cond when threads > 1.
        self.credit = wire.WINDOW
        self.aborted = False
        self.file_reply: Optional[bool] = None
        self.headers: Optional[list] = None  # the app's header list, as last given to start_response
        self.head: Optional[bytes] = None  # the encoded HEADERS frame; None until start_response()
        self.headers_sent = False  # S10: the headers are on their way (queued in self.out or sent)
        self.head_flushed = False  # ... and have actually been sent to Node
        self.out: List[Any] = []
        self.sent = 0  # body bytes taken so far
        self.finished = False  # run() returned: this request is over, its write() callable with it
        self.length: Optional[int] = None  # the app's Content-Length (its first valid one, as Node takes it)
        self.whole = False  # the body reached its declared Content-Length: nothing more is sent
        self.streamed = False  # the app returned an iterable other than a list or tuple (it may block, or close())
        self.announced = False  # COMPLETE was queued

    # -- PEP 3333 S10: start_response(status, response_headers, exc_info=None)
    def start_response(self, status, headers, exc_info=None):
        if exc_info is not None:
            try:
                # S10: once the headers went out, re-raise the app's own error; the server aborts the response.
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.head is not None:
            raise AssertionError("start_response() called a second time without exc_info (PEP 3333 S10)")
        if type(headers) is not list:
            raise TypeError("response_headers must be a list of (name, value) tuples, not %s" % type(headers).__name__)
        parts = [status]
        for header in headers:
            if type(header) is not tuple or len(header) != 2:
                raise TypeError("each response header must be a (name, value) tuple, not %r" % (header,))
            parts += header
        try:
            # Fast path: the join in C checks that every item is a str (S9), the encode that it is latin-1 (S3).
            head = wire.encode_text_frame(wire.HEADERS, self.rid, parts)
        except TypeError:
            raise TypeError(_not_str(status, headers)) from None
        # Raises before anything is set: the app may catch it and start again.
        self.length = _check_head(status, headers)
        self.head = head
        self.headers = headers
        return self.write

    # -- environ['wsgi.early_hints'](headers), Gunicorn's extension (>= 23): a 103 Early Hints response (RFC 8297)
    def early_hints(self, headers) -> None:
        """Send (name, value) pairs, typically Link headers, as a 103 now. As in Gunicorn: ignored once the final
        response has begun (a 1xx then would break its framing), may be called more than once, and a name that is
        not a token or a value with CR, LF or NUL raises. Node skips the 103 for HTTP/1.0 clients."""
        if self.headers_sent:
            return
        items = []
        for name, value in headers:
            if isinstance(name, bytes):
                name = name.decode("latin-1")
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if type(name) is not str or not _TOKEN.fullmatch(name):
                raise ValueError("early hint header name %r is not an HTTP token (RFC 9110 §5.6.2)" % (name,))
            if type(value) is not str or _BAD_VALUE.search(value):
                # The name only: the value may hold data that should not travel in an error message (as Gunicorn).
                raise ValueError("early hint header %r has a value with CR, LF or NUL, or one that is not a str" % name)
            items += (name, value.strip(" \t"))
        if items:
            self.channel.send(wire.encode_text_frame(wire.EARLY_HINTS, self.rid, items))

    # -- S12: the write() callable, unbuffered
    def write(self, data) -> None:
        if self.finished:
            # Kept from an earlier request: its response is complete and its id may be another's by now.
            raise RuntimeError("write() of a request that is over: the write callable is valid only until its app returns")
        if self.head is None:
            raise AssertionError("write() called before start_response() (PEP 3333 S12)")
        self._chunk(data)
        self.flush()

    def _send_head(self) -> None:
        if self.head is None:
            raise AssertionError("the app returned body data before calling start_response() (PEP 3333 S8)")
        self.out.append(self.head)
        self.headers_sent = True

    def _chunk(self, data) -> None:
        if not isinstance(data, bytes):
            raise TypeError("body chunks must be bytes (PEP 3333 S13), not %s" % type(data).__name__)
        n = len(data)
        if n == 0 or self.whole:
            # S11: an empty chunk sends nothing, not even the headers. Past the declared Content-Length nothing is
            # sent either (a write() there; the iterable is not pulled further).
            return
        if not self.headers_sent:
            self._send_head()
        self.sent += n
        if n <= self.credit and self.channel.pump is not None and not self.aborted:
            # Fast path: single-threaded, so no reader thread changes the credit meanwhile; it covers the chunk.
            self.credit -= n
            self.out.append(_pack(n + 5, wire.BODY, self.rid))
            self.out.append(data)
        else:
            self._credited_chunk(data)
        if self.length is not None and self.sent >= self.length:
            self.whole = True
            if self.streamed:
                self._announce()

    def _announce(self) -> None:
        """COMPLETE: the response is whole, and Node finishes it without waiting for what the app does next
        (iterating on past its Content-Length, a slow close() such as Django's request_finished handlers), as
        Gunicorn does. A list or tuple body needs none: END follows it at once."""
        self.announced = True
        self.out.append(_pack(5, wire.COMPLETE, self.rid))

    def _credited_chunk(self, data: bytes) -> None:
        """A chunk larger than the credit left, or with threads: as much as the credit allows at a time."""
        n = len(data)
        cond = self.channel.cond
        view = memoryview(data)
        off = 0
        while off < n:
            with cond:
                take = min(self.credit, n - off)
                if self.aborted:
                    raise ClientGone()
                self.credit -= take
            if take <= 0:
                # Flow control: Node holds WINDOW bytes it has not passed on; wait for it to grant more.
                self.flush()
                self.channel.wait(lambda: self.credit > 0 or self.aborted)
                continue
            self.out.append(_pack(take + 5, wire.BODY, self.rid))
            self.out.append(data if take == n else view[off : off + take])
            off += take

    def flush(self, whole: bool = False) -> None:
        """Send the frames collected so far. Those of a whole response (up to COMPLETE or END) the channel may
        hold while more requests are queued (docs/wire.md, held responses); they reach Node in order either way."""
        out = self.out
        if out:
            data = b"".join(out)
            out.clear()
            self.head_flushed = self.headers_sent
            if whole:
                self.channel.deliver(data)
            else:
                self.channel.send(data)

    def _send_file(self, result) -> bool:
        """S15 fast path: Node sends the file. True when it did; False to iterate the wrapper instead."""
        info = sendable(result)
        if info is None or self.head is None:
            return False
        if not self.headers_sent:
            self._send_head()
        self.out.append(wire.encode_frame(wire.FILE, self.rid, wire.encode_file(*info)))
        self.flush()
        self.channel.wait(lambda: self.file_reply is not None or self.aborted)
        return self.file_reply is True or self.aborted

    def run(self, app, environ: dict) -> None:
        try:
            self._run(app, environ)
        finally:
            self.finished = True

    def _run(self, app, environ: dict) -> None:
        try:
            result = app(environ, self.start_response)
            kind = type(result)
            streamed = self.streamed = kind is not list and kind is not tuple
            # S14: the app's close(), called whatever happens (a list or tuple has none).
            close = getattr(result, "close", None) if streamed else None
            try:
                if not streamed:
                    # Fast path: a list or tuple cannot block, so its frames go out in one sendall with END.
                    for chunk in result:
                        self._chunk(chunk)
                        if self.whole:
                            break
                elif kind is not FileWrapper or not self._send_file(result):
                    self._stream(result)
                if not self.headers_sent:
                    if self.head is None:
                        # S8, as the gateway's TSGI_NO_START_RESPONSE: an empty body, and no status to send.
                        raise AssertionError(
                            "the app returned its body without ever calling start_response() (PEP 3333 S8): call "
                            "start_response(status, headers) before the body ends"
                        )
                    self._send_head()  # S11: headers of an empty body go out at its end
                if streamed and not self.announced:
                    self._announce()
                if close is not None:
                    # The response is whole: it goes to Node before close() runs (Django's request_finished
                    # handlers, say), as Gunicorn finishes a response before it calls close(). END follows close().
                    self.flush(whole=True)
            finally:
                if close is not None:
                    try:
                        close()
                    except BaseException:  # noqa: BLE001 - a KeyboardInterrupt too: the response is whole
                        self._log(
                            "Error closing the response iterable of %s (PEP 3333 S14)\n%s"
                            % (_request_line(environ), traceback.format_exc())
                        )
            self.out.append(_pack(5, wire.END, self.rid))
            self.flush(whole=True)
        except Exception as error:
            if self.aborted and isinstance(error, OSError):
                self.out.clear()
                self.channel.send(_pack(5, wire.END, self.rid))
                return
            text = traceback.format_exc()
            if not self.head_flushed:
                self.out.clear()  # the headers never reached Node: it answers 500 instead
            else:
                self.flush()
            self.channel.send(wire.encode_frame(wire.ERROR, self.rid, text.encode("utf-8", "replace")))

    def _stream(self, result) -> None:
        """A body that may block between chunks (a generator, a file): each chunk goes to Node as it comes, the
        last one too: what the app does after it (more iteration, a slow close()) must not hold a complete body."""
        poll = self.channel.poll
        first = True
        for chunk in result:
            if not first:
                poll()  # single-threaded: see an ABORT that arrived while the app made this chunk
            first = False
            if self.aborted:
                raise ClientGone()
            self._chunk(chunk)
            if self.whole:
                # PEP 3333 ("Handling the Content-Length Header"): once the declared length went out, the server
                # should stop iterating; close() follows. (Gunicorn iterates on, sending nothing more.) The
                # chunk goes with COMPLETE, as a whole response.
                break
            self.flush()

    def _log(self, text: str) -> None:
        self.channel.send(wire.encode_frame(wire.LOG, self.rid, text.encode("utf-8", "replace")))
