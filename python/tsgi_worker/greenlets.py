"""-k gevent: the standard library patched as Gunicorn's gevent worker patches it, a worker's requests run in
greenlets (the heartbeat is Worker._beat, in a greenlet of its own: docs/wire.md, HEARTBEAT).

Nothing here imports gevent at module level: only a worker started with -k gevent loads it.
"""

from __future__ import annotations

import sys
from typing import Any, Callable


def patch() -> None:
    """gevent.monkey.patch_all(), as Gunicorn's gevent worker does first thing in its process. Without gevent in
    this interpreter it raises, saying how to install it (the caller reports it as an import failure: tsgi stops at
    start-up with the fix in the message)."""
    try:
        from gevent import monkey
    except ImportError as error:
        raise RuntimeError(
            "-k gevent needs the gevent package in the app's interpreter (%s): pip install gevent" % sys.executable
        ) from error
    monkey.patch_all()
    # As Gunicorn's gevent worker after its fork: a hub the zygote made (an app using gevent at import, with
    # --preload) starts afresh in this process; without one, nothing happens.
    from gevent import hub

    hub.reinit()


class Greenlets:
    """Runs each request in a greenlet, at most `size` (--worker-connections) at once. A greenlet that finishes
    a request takes the next one queued, in arrival order (Node counts on it: docs/wire.md); one is started only
    when more requests wait than greenlets are idle, so an idle worker holds a few, not `size`."""

    def __init__(self, size: int, run_item: Callable[[Any, Any], None], errors: Callable[[], Any]) -> None:
        import gevent
        import gevent.event
        import gevent.queue

        self._spawn = gevent.spawn
        self._queue: Any = gevent.queue.SimpleQueue()
        self._size = max(1, size)
        self._run_item = run_item
        self._errors = errors
        self._live = 0
        self._idle = 0
        self._stopping = False
        self._done = gevent.event.Event()

    def put(self, item: Any) -> None:
        self._queue.put(item)
        if self._idle < self._queue.qsize() and self._live < self._size:
            self._live += 1
            self._spawn(self._serve)

    def stop(self) -> None:
        """STOP: the requests queued run first (FIFO), then every greenlet ends."""
        self._stopping = True
        if self._live == 0:
            self._done.set()
        for _ in range(self._live):
            self._queue.put(None)

    def join(self) -> None:
        self._done.wait()

    def _serve(self) -> None:
        errors = self._errors()  # one wsgi.errors stream per greenlet, as per app thread
        get = self._queue.get
        try:
            while True:
                self._idle += 1
                try:
                    item = get()
                finally:
                    self._idle -= 1
                if item is None:
                    return
                self._run_item(item, errors)
        finally:
            self._live -= 1
            if self._stopping and self._live == 0:
                self._done.set()
