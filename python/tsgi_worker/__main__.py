"""Entry point: `python -c <bootstrap> <python dir> <config json>` (see src/runtimes/python/worker.ts).

Imports the app, says READY (or IMPORT_FAILED with the exception, then exits with code 4 as Gunicorn's
APP_LOAD_ERROR does, so the front end stops instead of respawning), then serves until STOP. With --preload
(config "zygote") the process imported the app once and forks the workers from it (zygote.py).
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import socket
import sys
import traceback
from typing import Any, Optional

from . import greenlets, output, wire
from .app_loader import configure_paste_logging, import_app
from .channel import Channel, open_ring
from .hooks import Hooks
from .lifetime import die_with_parent
from .worker import Worker

APP_LOAD_ERROR = 4


def main(argv: list) -> None:
    config = json.loads(argv[-1])
    # Node owns shutdown: Ctrl-C and systemd's SIGTERM reach the whole process group, but only Node acts on
    # them (it lets in-flight requests finish, then sends STOP or closes the channel, on which we exit).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # A SIGHUP (reload) or SIGUSR1 (reopen the logs, which Node writes) sent to the whole group is the arbiter's to
    # answer; by default it would end us.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    # SIGUSR2 dumps every thread's stack to stderr (Node's log) before a timeout kill: where did it hang?
    faulthandler.register(signal.SIGUSR2, all_threads=True)

    die_with_parent()
    if config.get("batch"):
        _batch_schedule(os.getppid())
        _batch_schedule(0)

    # Gunicorn's sys.path: --pythonpath entries, then the working directory, first.
    cwd = os.getcwd()
    if sys.path and sys.path[0] in ("", "."):
        sys.path.pop(0)
    for entry in reversed([cwd] + list(config.get("pythonpath", []))):
        sys.path.insert(0, os.path.abspath(entry))

    gevent = bool(config.get("gevent"))
    zygote = config.get("zygote")
    if zygote:
        # --preload: import once here, then fork a worker for each connection Node makes (zygote.py).
        from . import zygote as zygote_module

        control = socket.socket(fileno=int(config.get("fd", 3)))
        hooks, app = _load(config, control.sendall, post_fork=False)
        conn, ring, fds = zygote_module.serve(control, zygote["path"])
        # Here in a forked worker: Gunicorn runs post_fork after the fork, then post_worker_init. Its ring is used
        # once Node says it could open it (RING); its output is its own once Node opened its pipes (OUTPUT).
        channel = Channel(conn)
        channel.offered = ring
        channel.send(wire.encode_frame(wire.FORKED, 0, wire.encode_forked(os.getpid(), *fds)))
        channel.await_output(output.reply)
        if gevent:
            # As Gunicorn's gevent worker with --preload: the app was imported unpatched; the worker patches now, and
            # its channel is made again on a patched socket, with patched locks (Node asked for no ring: none held).
            _patch_gevent(channel.send)
            unread = channel.unread
            channel = Channel(socket.socket(fileno=conn.detach()))
            channel.unread = unread
        if hooks is not None:
            hooks.forked()
        _start(hooks, app, channel, preloaded=True, gevent=gevent)
    else:
        fd = int(config.get("fd", 3))
        if gevent:
            # First, as Gunicorn's gevent worker: the hooks, the app and the channel below see the patched library.
            _patch_gevent(lambda data: _write_all(fd, data))
        ring = config.get("ring") or {}
        channel = Channel(socket.socket(fileno=fd), open_ring(ring.get("fd"), int(ring.get("size", 0))))
        hooks, app = _load(config, channel.send, post_fork=True)
        _start(hooks, app, channel, preloaded=False, gevent=gevent)
    Worker(
        app,
        channel,
        int(config.get("threads", 1)),
        bool(config.get("multiprocess", False)),
        hooks,
        gevent=gevent,
        heartbeat=float(config.get("heartbeat", 0)),
    ).run()
    if hooks is not None:
        hooks.exit()
    sys.exit(0)  # after STOP: atexit handlers of the app run, as in a normal exit


def _load(config: dict, send, post_fork: bool):
    """The config file's hooks and the app; on failure IMPORT_FAILED through `send`, and exit 4."""
    try:
        # --paste: the file's [loggers] first, as Gunicorn configures logging before anything else runs.
        configure_paste_logging(config["target"])
        # A gunicorn.conf.py's worker hooks (hooks.py): post_fork before the import (a new process is as after a
        # fork), post_worker_init after it.
        hooks = Hooks.load(config.get("hooks"))
        if post_fork and hooks is not None and hooks.post_fork is not None:
            hooks.post_fork(hooks.server, hooks.worker)
        return hooks, import_app(config["target"], config.get("paste_global"))
    except BaseException as error:  # noqa: BLE001 - SystemExit from the app's module counts too
        _import_failed(send, error)


def _start(hooks: Optional[Hooks], app: Any, channel: Channel, preloaded: bool, gevent: bool) -> None:
    """post_fork (a forked worker's), post_worker_init, then READY; a hook that raises fails as an import does."""
    try:
        if hooks is not None:
            if preloaded and hooks.post_fork is not None:
                hooks.post_fork(hooks.server, hooks.worker)
            hooks.worker.wsgi = app
            hooks.worker.booted = True
            if hooks.post_worker_init is not None:
                hooks.post_worker_init(hooks.worker)
    except BaseException as error:  # noqa: BLE001
        _import_failed(channel.send, error)
    # The interpreter's path too: which one ran (--python, $VIRTUAL_ENV or python3 from PATH) is the first question
    # when a package is missing.
    info = "Python %s%s%s, %s" % (
        sys.version.split()[0],
        ", gevent %s" % sys.modules["gevent"].__version__ if gevent else "",
        ", preloaded" if preloaded else "",
        sys.executable,
    )
    channel.send(wire.encode_frame(wire.READY, 0, info.encode()))


def _import_failed(send, error: BaseException) -> None:
    items = [type(error).__name__, str(error), traceback.format_exc()]
    send(wire.encode_frame(wire.IMPORT_FAILED, 0, wire.encode_strings([s.encode("utf-8", "replace") for s in items])))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(APP_LOAD_ERROR)


def _patch_gevent(send) -> None:
    """-k gevent (greenlets.patch); gevent missing fails as an import does: IMPORT_FAILED through `send`, exit 4."""
    try:
        greenlets.patch()
    except BaseException as error:  # noqa: BLE001
        _import_failed(send, error)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _batch_schedule(pid: int) -> None:
    """Linux SCHED_BATCH for the front end's event-loop thread (its pid) or this process (0): a wake-up by the
    other side's frame no longer preempts the one running, so each handles a batch of requests per turn on a
    shared core (see WorkerConfig.batchSchedule)."""
    try:
        os.sched_setscheduler(pid, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        pass  # not Linux, or not allowed: a missed optimisation, nothing more


if __name__ == "__main__":
    main(sys.argv)
