"""Gunicorn's worker-side server hooks, run in each Python worker when a gunicorn.conf.py defines them
(src/config/python-config-file.ts names the file; docs/python.md lists what is called when):

    post_fork(server, worker)         before the app is imported (a tsgi worker is a new process, as after a fork)
    post_worker_init(worker)          after the app is imported
    pre_request(worker, req)          before each request; an exception fails that request
    post_request(worker, req, environ, resp)   after each response; an exception is logged
    worker_exit(server, worker)       when the worker stops

`server` and `worker` stand in for Gunicorn's Arbiter and Worker with the attributes hooks use (pid, ppid, age,
cfg, log, nr, wsgi; `server.pid` and `worker.ppid` are the Node front end's pid, the process that started the
worker); `req` and `resp` for its Request and Response (method, path, query, uri, version, headers; status,
status_code, headers, sent). The arbiter's hooks (on_starting, when_ready, child_exit…) are not run: tsgi's
arbiter is not Python.
"""

from __future__ import annotations

import os
import sys
import traceback
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from . import wire
from .config_file import WORKER_HOOK_ARITY, load, worker_hook


class HookLog:
    """What `server.log` and `worker.log` offer hooks (Gunicorn's Logger): lines to tsgi's error log."""

    def _write(self, stream, level: str, msg: str, args) -> None:
        text = msg % args if args else msg
        stream.write("[%s] %s\n" % (level, text))
        stream.flush()

    def debug(self, msg, *args, **kwargs) -> None:
        self._write(sys.stdout, "DEBUG", msg, args)

    def info(self, msg, *args, **kwargs) -> None:
        self._write(sys.stdout, "INFO", msg, args)

    def warning(self, msg, *args, **kwargs) -> None:
        self._write(sys.stderr, "WARNING", msg, args)

    warn = warning

    def error(self, msg, *args, **kwargs) -> None:
        self._write(sys.stderr, "ERROR", msg, args)

    def critical(self, msg, *args, **kwargs) -> None:
        self._write(sys.stderr, "CRITICAL", msg, args)

    def exception(self, msg, *args, **kwargs) -> None:
        self._write(sys.stderr, "ERROR", msg, args)
        sys.stderr.write(traceback.format_exc())


class HookRequest:
    """Gunicorn's Request, as far as hooks read it, from the environ."""

    def __init__(self, environ: Dict[str, Any]) -> None:
        self.method = environ["REQUEST_METHOD"]
        self.uri = environ.get("RAW_URI", "")
        # Gunicorn's path is the request-target's path as sent (percent-encoded, SCRIPT_NAME included); a target
        # starting with // is a path, not a network location (RFC 9112 §3.2.1, as Gunicorn's split_request_uri).
        parts = urlsplit("." + self.uri) if self.uri.startswith("//") else urlsplit(self.uri)
        self.path = parts.path[1:] if self.uri.startswith("//") else parts.path
        self.query = parts.query
        self.fragment = parts.fragment
        protocol = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
        self.version = (int(protocol[5]), int(protocol[7])) if len(protocol) == 8 else (1, 1)
        self.scheme = environ.get("wsgi.url_scheme", "http")
        self.remote_addr = environ.get("REMOTE_ADDR")
        headers: List[Tuple[str, str]] = []
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers.append((key[5:].replace("_", "-"), value))
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                headers.append((key.replace("_", "-"), value))
        self.headers = headers


class HookResponse:
    """Gunicorn's Response, as far as post_request reads it, from the worker's Response."""

    def __init__(self, response) -> None:
        # The status line is read back from the encoded head rather than kept apart on every request.
        status = wire.decode_strings(response.head, wire.HEADER_SIZE)[0][0].decode("latin-1") if response.head else None
        self.status = status
        self.status_code = int(status.split(" ", 1)[0]) if status else None
        self.headers = list(response.headers or [])
        self.sent = response.sent


class Hooks:
    """The worker hooks a config file defines (None for each it does not)."""

    def __init__(self, found: Dict[str, Callable], cfg: SimpleNamespace) -> None:
        self.post_fork = found.get("post_fork")
        self.post_worker_init = found.get("post_worker_init")
        self.pre_request = found.get("pre_request")
        self.post_request = found.get("post_request")
        self.worker_exit = found.get("worker_exit")
        # A request-sized stand-in is built only for hooks that take one.
        self.per_request = self.pre_request is not None or self.post_request is not None
        log = HookLog()
        self.server = SimpleNamespace(pid=os.getppid(), cfg=cfg, log=log)
        self.worker = SimpleNamespace(
            pid=os.getpid(), ppid=os.getppid(), age=0, cfg=cfg, log=log, alive=True, booted=False, nr=0, wsgi=None
        )

    @classmethod
    def load(cls, spec: Optional[Dict[str, Any]]) -> Optional["Hooks"]:
        """The hooks of the config at spec['location'] (imported from spec['cwd']), or None when it defines none;
        spec['cfg'] holds the settings in force, under Gunicorn's names."""
        if not spec:
            return None
        sys.path.insert(0, spec["cwd"])
        try:
            names = load(spec["location"])
            # Checked when the file was first read (config_file.main); an import string is imported here.
            found = {name: worker_hook(name, names[name]) for name in WORKER_HOOK_ARITY if names.get(name) is not None}
        finally:
            sys.path.remove(spec["cwd"])
        if not found:
            return None
        # cfg: the file's own plain names, then the settings in force under Gunicorn's names (the command line
        # may have overridden the file).
        plain = {k: v for k, v in names.items() if not k.startswith("_") and not callable(v) and k not in found}
        plain.update(spec.get("cfg") or {})
        return cls(found, SimpleNamespace(**plain))

    def forked(self) -> None:
        """In a worker forked from the zygote (--preload): its own pid, and its parent, the zygote."""
        self.worker.pid = os.getpid()
        self.worker.ppid = os.getppid()

    def request_done(self, req: HookRequest, environ: Dict[str, Any], response) -> None:
        """post_request, after a response (or a failed pre_request): its exception is logged, as in Gunicorn."""
        self.worker.nr += 1
        if self.post_request is None:
            return
        try:
            self.post_request(self.worker, req, environ, HookResponse(response))
        except Exception:
            self.worker.log.exception("Exception in post_request hook")

    def exit(self) -> None:
        """worker_exit, when the worker stops: its exception is logged, as in Gunicorn."""
        self.worker.alive = False
        if self.worker_exit is None:
            return
        try:
            self.worker_exit(self.server, self.worker)
        except Exception:
            self.worker.log.exception("Exception in worker_exit hook")
