"""environ['wsgi.errors'] (PEP 3333 S6): a text stream whose lines go to tsgi's error log as LOG frames."""

from __future__ import annotations

from typing import Iterable, List

from . import wire


class ErrorStream:
    __slots__ = ("_channel", "_rid", "_parts")

    def __init__(self, channel, rid: int) -> None:
        self._channel = channel
        self._rid = rid
        self._parts: List[str] = []

    def write(self, s: str) -> None:
        if not isinstance(s, str):
            raise TypeError("wsgi.errors.write() takes str, not %s" % type(s).__name__)
        self._parts.append(s)
        if "\n" in s:
            self.flush()

    def writelines(self, seq: Iterable[str]) -> None:
        for s in seq:
            self.write(s)

    def flush(self) -> None:
        if self._parts:
            text = "".join(self._parts)
            self._parts.clear()
            self._channel.send(wire.encode_frame(wire.LOG, self._rid, text.encode("utf-8", "replace")))
