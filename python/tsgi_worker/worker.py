"""The worker's loop, mirror of src/runtimes/python/worker.ts. With threads = 1, one thread reads frames and runs
requests in turn; with more, a reader thread turns frames into work and `threads` app threads run one request
each at a time (PEP 3333 S7: wsgi.multithread = threads > 1) and a thread that sends HEARTBEATs; with -k gevent, a
reader greenlet and up to `threads` (--worker-connections) greenlets, one per request, and a heartbeat greenlet
(greenlets.py).

Node may queue several requests here before the first is done (WORKERS.md: several per wake-up); the app
threads take them in arrival order, which is how Node knows which ones were started (docs/wire.md).
"""

from __future__ import annotations

import collections
import io
import os
import queue
import select
import threading
import time
import traceback
from time import monotonic
from typing import Any, Dict, Optional

from . import wire
from .channel import Channel
from .file_wrapper import FileWrapper
from .hooks import HookRequest, Hooks
from .log import ErrorStream
from .response import Response
from .wsgi_input import input_from_file


# With one thread, frames are read only between requests: a request that waited longer than this in the worker's
# queue is started only after reading what arrived meanwhile (docs/wire.md: ABORT).
ABORT_POLL_SECONDS = 0.001
# With one thread, whole responses are held (sent together) while at least this many requests wait behind them.
HOLD_WHILE_QUEUED = 2
# With one thread, a request that has run this long, and four times the worker's recent time per request, is slow:
# the requests queued behind it go back to Node, for a worker that is free (docs/wire.md: GIVE_BACK).
GIVE_BACK_SECONDS = 0.025


class Worker:
    def __init__(
        self,
        app: Any,
        channel: Channel,
        threads: int,
        multiprocess: bool,
        hooks: Optional[Hooks] = None,
        gevent: bool = False,
        heartbeat: float = 0.0,
    ) -> None:
        self.app = app
        # A gunicorn.conf.py's pre_request/post_request (hooks.py); None when it defines no worker hook.
        self.hooks = hooks
        self.channel = channel
        self.threads = max(1, threads)
        # -k gevent: the process is patched, requests run in greenlets.
        self.gevent = gevent
        # Seconds between HEARTBEATs (0: none), with gevent or threads > 1: Node's --timeout then watches these.
        self.heartbeat = heartbeat
        self.queue: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
        self.states: Dict[int, Response] = {}
        # S7: the keys that are the same for every request.
        self.base = {
            "wsgi.version": (1, 0),
            # Gunicorn's gevent worker says true whatever --worker-connections is.
            "wsgi.multithread": self.threads > 1 or gevent,
            "wsgi.multiprocess": multiprocess,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
            "wsgi.file_wrapper": FileWrapper,
            # Set per request (_run_item); here so that setting them fills a slot of the copied template.
            "wsgi.input": None,
            "wsgi.errors": None,
            # Gunicorn's extension (>= 23): environ['wsgi.early_hints'](headers) sends a 103 Early Hints.
            "wsgi.early_hints": None,
        }
        self.environ = wire.EnvironDecoder(self.base)

    def run(self) -> None:
        if self.gevent:
            self._run_greenlets(self.heartbeat)
            return
        if self.threads == 1:
            self._run_inline()
            return
        workers = [threading.Thread(target=self._serve, name="tsgi-app-%d" % i, daemon=True) for i in range(self.threads)]
        for t in workers:
            t.start()

        def stop() -> None:
            for _ in range(self.threads):
                self.queue.put(None)

        threading.Thread(target=self._read, args=(self.queue.put, stop), name="tsgi-reader", daemon=True).start()
        if self.heartbeat > 0:
            threading.Thread(target=self._beat, name="tsgi-heartbeat", daemon=True).start()
        for t in workers:
            t.join()

    def _beat(self) -> None:
        """HEARTBEAT every `heartbeat` seconds, as Gunicorn's gthread and gevent workers notify their arbiter: from a
        thread of its own with threads > 1 (it needs the GIL: C code holding it silences the worker), from a
        greenlet with gevent (time.sleep is gevent's: code that never yields silences it). A request may run as
        long as it likes; a worker silent for --timeout is killed by Node."""
        frame = wire.frame_header(wire.HEARTBEAT, 0, 0)
        while True:
            time.sleep(self.heartbeat)
            try:
                self.channel.send(frame)
            except OSError:
                os._exit(0)  # Node closed the channel or died: nobody is left to answer

    def _run_greenlets(self, heartbeat: float) -> None:
        """-k gevent: the reader in a greenlet (its recv yields to the others), each request in a greenlet."""
        import gevent

        from .greenlets import Greenlets

        greenlets = Greenlets(self.threads, self._run_item, lambda: ErrorStream(self.channel))
        if heartbeat > 0:
            gevent.spawn(self._beat)
        gevent.spawn(self._read, greenlets.put, greenlets.stop)
        greenlets.join()

    def _run_inline(self) -> None:
        """threads = 1: one thread reads frames and runs requests, so a request costs no thread hand-offs (and
        no GIL switches); while a response waits for credit, Channel.wait reads frames on this thread."""
        reader = wire.FrameReader()
        pending: "collections.deque[Any]" = collections.deque()
        channel = self.channel
        recv = channel.receiver()
        read_at = [0.0]
        # Who reads the channel: this thread, or the flusher thread giving requests back (give_back).
        reading = threading.Lock()
        deferred = channel.deferred
        # When the request running now started (0.0: none runs), and the recent time per request (moving average).
        running = [0.0, 0.0]

        def pump() -> None:
            try:
                channel.release()  # about to block: what is held goes first
            except OSError:
                os._exit(0)  # Node closed the channel or died: nobody is left to answer
            with reading:
                if deferred:
                    # What the flusher read first, in order; the caller pumps again if it needs more.
                    frames = deferred[:]
                    deferred.clear()
                    self._dispatch(frames, pending.append, stop)
                    return
                data = recv()
                if not data:
                    os._exit(0)  # Node closed the channel or died: nobody is left to answer
                read_at[0] = monotonic()
                self._dispatch(reader.feed(data), pending.append, stop)

        def stop() -> None:
            pending.append(None)

        def give_back() -> bool:
            """The flusher thread, at each check: True while a request runs. Once it has run long, the requests
            queued behind it, and those Node sent meanwhile, go back to Node (GIVE_BACK), which sends them to a
            worker that is free. Taken out of the queue first, so this worker never starts them: no request runs
            twice, and only this worker knows which ones it has not started (docs/wire.md)."""
            started = running[0]
            if not started:
                return False
            if monotonic() - started < max(GIVE_BACK_SECONDS, 4 * running[1]):
                return True
            ids = []
            for item in list(pending):
                if item is None:
                    continue
                try:
                    pending.remove(item)
                except ValueError:
                    continue  # this worker's thread took it meanwhile
                rid = item[2].rid
                ids.append(rid)
                self.states.pop(rid, None)
            # Requests Node sent since this worker's thread last read (not while that thread reads or waits for
            # credit). Other frames are left for that thread, in order: only it applies them.
            if reading.acquire(blocking=False):
                try:
                    if select.select([channel.sock], [], [], 0)[0]:
                        for frame in reader.feed(recv()):
                            if frame[0] == wire.REQUEST or frame[0] == wire.REQUEST_FILE:
                                ids.append(frame[1])
                            else:
                                deferred.append(frame)
                finally:
                    reading.release()
            if ids:
                try:
                    channel.send(wire.encode_frame(wire.GIVE_BACK, 0, wire.encode_ids(ids)))
                except OSError:
                    pass  # Node is gone: the worker's own next read or send ends it
            return True

        channel.pump = pump
        channel.on_tick = give_back
        poll = channel.poll
        errors = ErrorStream(channel)
        channel.start_flusher()
        while True:
            while not pending:
                pump()
            item = pending.popleft()
            if item is None:
                channel.release()
                return
            # Held responses (docs/wire.md): a whole response waits to leave with the next ones only while two
            # or more requests are queued behind it, so that Node has the rest and sends more before the queue
            # runs dry.
            channel.holding = len(pending) >= HOLD_WHILE_QUEUED
            now = monotonic()
            channel.release_late(now)
            if now - read_at[0] > ABORT_POLL_SECONDS:
                # The queued request waited: take in what Node sent meanwhile (an ABORT for it, if its client left)
                # before starting it. A queue that drains fast never pays for the check.
                read_at[0] = now
                poll()
            if pending:
                channel.wake_flusher()  # requests wait behind this one: the flusher gives them back if it runs long
            running[0] = now
            self._run_item(item, errors)
            ran = monotonic() - now
            running[0] = 0.0
            running[1] += (ran - running[1]) / 8

    def _read(self, put, stop) -> None:
        reader = wire.FrameReader()
        recv = self.channel.receiver()
        try:
            while True:
                data = recv()
                if not data:
                    # Node closed the channel or died: nobody is left to answer.
                    os._exit(0)
                self._dispatch(reader.feed(data), put, stop)
        except BaseException:  # noqa: BLE001 - a frame we cannot apply (a bug): say so and end the process
            # Without its reader the worker would take requests and never start them, while (under gevent) its
            # heartbeat told Node all was well: exiting makes Node answer those it ran and re-send the others.
            traceback.print_exc()
            os._exit(1)

    def _dispatch(self, frames, put, stop) -> None:
        """Requests go to `put` in arrival order, and STOP to `stop` (after them); other frames update a request's
        state."""
        states = self.states
        cond = self.channel.cond
        for kind, rid, payload in frames:
            if kind == wire.REQUEST or kind == wire.REQUEST_FILE:
                response = states[rid] = Response(self.channel, rid)
                put((kind, payload, response))
            elif kind == wire.RING:
                self.channel.ring_reply(payload[:1] == b"\x01")
            elif kind == wire.STOP:
                # Finish what is queued (FIFO: the sentinels come after it), then the app threads end.
                stop()
            else:
                state = states.get(rid)
                if state is None:
                    continue
                with cond:
                    if kind == wire.CREDIT:
                        state.credit += wire.decode_credit(payload)
                    elif kind == wire.ABORT:
                        state.aborted = True
                    elif kind == wire.FILE_REPLY:
                        state.file_reply = payload[:1] == b"\x01"
                    cond.notify_all()

    def _serve(self) -> None:
        get = self.queue.get
        errors = ErrorStream(self.channel)
        while True:
            item = get()
            if item is None:
                return
            self._run_item(item, errors)

    def _run_item(self, item, errors: ErrorStream) -> None:
        """One request: its environ, wsgi.input and wsgi.errors (this thread's stream), then the app."""
        kind, payload, response = item
        rid = response.rid
        try:
            if response.aborted:
                # The client left before the app started: do not run it.
                self.channel.send(wire.frame_header(wire.END, rid, 0))
                return
            environ, end = self.environ.decode(payload)
            if kind == wire.REQUEST:
                body = io.BytesIO(payload[end:])
            else:
                body = input_from_file(payload[end:].decode("utf-8", "surrogateescape"))
            environ["wsgi.input"] = body
            environ["wsgi.errors"] = errors
            environ["wsgi.early_hints"] = response.early_hints
            errors.rid = rid
            hooks = self.hooks
            request = HookRequest(environ) if hooks is not None and hooks.per_request else None
            try:
                if request is not None and hooks.pre_request is not None:
                    hooks.pre_request(hooks.worker, request)  # an exception fails this request, as in Gunicorn
                response.run(self.app, environ)
            finally:
                if errors.pending:
                    errors.flush()
                body.close()
                if request is not None:
                    hooks.request_done(request, environ, response)  # whatever happened, as in Gunicorn
        except BaseException:  # noqa: BLE001 - SystemExit/KeyboardInterrupt from an app must not kill the thread
            # A fault of ours (a body file gone, a send that failed), or an app raising SystemExit and the like:
            # this request fails, the thread lives on (Node counts on `threads` of them).
            text = traceback.format_exc().encode("utf-8", "replace")
            try:
                self.channel.send(wire.encode_frame(wire.ERROR, rid, text))
            except OSError:
                os._exit(0)  # the channel is gone: nobody is left to answer
        finally:
            self.states.pop(rid, None)
