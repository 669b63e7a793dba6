"""An app that starts a non-daemon thread at import (a scheduler, a metrics exporter): Python waits for it at
exit, so a worker told to stop never exits by itself."""

import os
import threading
import time


def _tick():
    while True:
        time.sleep(0.2)


threading.Thread(target=_tick, name="lingering", daemon=False).start()


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
