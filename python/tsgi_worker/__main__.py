"""Entry point: `python -c <bootstrap> <python dir> <config json>` (see src/runtimes/python/worker.ts).

Imports the app, says READY (or IMPORT_FAILED with the exception, then exits with code 4 as Gunicorn's
APP_LOAD_ERROR does, so the front end stops instead of respawning), then serves until STOP.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import socket
import sys
import traceback

from . import wire
from .app_loader import import_app
from .channel import Channel, open_ring
from .hooks import Hooks
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

    _die_with_parent()
    if config.get("batch"):
        _batch_schedule(os.getppid())
        _batch_schedule(0)

    # Gunicorn's sys.path: --pythonpath entries, then the working directory, first.
    cwd = os.getcwd()
    if sys.path and sys.path[0] in ("", "."):
        sys.path.pop(0)
    for entry in reversed([cwd] + list(config.get("pythonpath", []))):
        sys.path.insert(0, os.path.abspath(entry))

    ring = config.get("ring") or {}
    channel = Channel(socket.socket(fileno=int(config.get("fd", 3))), open_ring(ring.get("fd"), int(ring.get("size", 0))))
    try:
        # A gunicorn.conf.py's worker hooks (hooks.py): post_fork before the import, post_worker_init after it.
        hooks = Hooks.load(config.get("hooks"))
        if hooks is not None and hooks.post_fork is not None:
            hooks.post_fork(hooks.server, hooks.worker)
        app = import_app(config["target"])
        if hooks is not None:
            hooks.worker.wsgi = app
            hooks.worker.booted = True
            if hooks.post_worker_init is not None:
                hooks.post_worker_init(hooks.worker)
    except BaseException as error:  # noqa: BLE001 - SystemExit from the app's module counts too
        items = [type(error).__name__, str(error), traceback.format_exc()]
        channel.send(wire.encode_frame(wire.IMPORT_FAILED, 0, wire.encode_strings([s.encode("utf-8", "replace") for s in items])))
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(APP_LOAD_ERROR)
    info = "Python %s" % sys.version.split()[0]
    channel.send(wire.encode_frame(wire.READY, 0, info.encode()))
    Worker(app, channel, int(config.get("threads", 1)), bool(config.get("multiprocess", False)), hooks).run()
    if hooks is not None:
        hooks.exit()
    sys.exit(0)  # after STOP: atexit handlers of the app run, as in a normal exit


def _die_with_parent() -> None:
    """Linux: SIGKILL when the front end dies, even mid-request (nobody is left to answer; without this a worker
    ignoring SIGTERM would only notice at its next read of the channel)."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError, ImportError):
        pass


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
