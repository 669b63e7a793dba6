"""environ['wsgi.errors'] (PEP 3333 S6): a text stream whose lines go to tsgi's error log as LOG frames."""

from __future__ import annotations

from typing import Iterable, List

from . import wire


class ErrorStream:
    """One per app thread, reused from request to request: it knows which request it is serving (`rid`, set by
    the worker) and sends each complete line as it is written, the rest when the request ends."""

    __slots__ = ("_channel", "rid", "pending")

    def __init__(self, channel) -> None:
        self._channel = channel
        self.rid = 0
        self.pending: List[str] = []

    def write(self, s: str) -> None:
        if not isinstance(s, str):
            raise TypeError("wsgi.errors.write() takes str, not %s" % type(s).__name__)
        self.pending.append(s)
        if "\n" in s:
            self.flush()

    def writelines(self, seq: Iterable[str]) -> None:
        for s in seq:
            self.write(s)

    def flush(self) -> None:
        if self.pending:
            text = "".join(self.pending)
            self.pending.clear()
            self._channel.send(wire.encode_frame(wire.LOG, self.rid, text.encode("utf-8", "replace")))
