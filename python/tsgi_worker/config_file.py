"""Reads a Python config file for the front end (src/config/python-config-file.ts), as Gunicorn reads its
`-c gunicorn.conf.py` or `-c python:module.name`: the file runs, then its top-level names are its settings.

Usage: `python -c <bootstrap> <python dir> <location>`; the report is JSON on fd 3, so that what the file prints
still reaches stdout and stderr:
    {"names": {"workers": {"value": 4}, "post_fork": {"kind": "function"}, ...}}  or  {"error": "..."} (running
    it raised)  or  {"invalid": "..."} (a worker hook Gunicorn would refuse)
Plain values (None, bool, int, float, str, and lists, tuples and dicts of them) are sent as they are; anything
else only by kind. Names starting with "_", modules and classes are left out (a config's own helpers).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
import traceback
import types
from typing import Any, Callable, Dict

SCALARS = (type(None), bool, int, float, str)

# Gunicorn's worker hooks and the number of positional parameters its validators require of each (post_request:
# 2, 3 or 4, the missing ones not passed).
WORKER_HOOK_ARITY = {"post_fork": 2, "post_worker_init": 1, "pre_request": 2, "post_request": 4, "worker_exit": 2}


def worker_hook(name: str, value: Any) -> Callable:
    """A worker hook's function, checked as Gunicorn's validators do (validate_callable, validate_post_request): a
    function, or an import string 'module.function', taking the arguments Gunicorn passes. TypeError says why not."""
    if isinstance(value, str):
        module, dot, attribute = value.rpartition(".")
        if not dot:
            raise TypeError("%s = %r is not an import string; write 'module.function' or define the function" % (name, value))
        try:
            value = getattr(importlib.import_module(module), attribute)
        except ImportError as error:
            raise TypeError("%s = %r: %s" % (name, value, error)) from None
        except AttributeError:
            raise TypeError("%s = %r: module %r has no %r" % (name, value, module, attribute)) from None
    if not callable(value):
        raise TypeError("%s must be a function or an import string 'module.function', not %r" % (name, value))
    arity = sum(1 for p in inspect.signature(value).parameters.values() if p.kind in _POSITIONAL)
    wanted = WORKER_HOOK_ARITY[name]
    if name == "post_request" and arity in (2, 3):
        hook = value
        return (lambda worker, req, environ, resp: hook(worker, req, environ)) if arity == 3 else (
            lambda worker, req, environ, resp: hook(worker, req)
        )
    if arity != wanted:
        raise TypeError("%s must take %d positional arguments, as Gunicorn calls it; it takes %d" % (name, wanted, arity))
    return value


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def load(location: str) -> Dict[str, Any]:
    if location.startswith("python:"):
        return vars(importlib.import_module(location[len("python:"):]))
    namespace: Dict[str, Any] = {"__file__": location, "__name__": "__config__"}
    with open(location, "rb") as f:
        code = compile(f.read(), location, "exec")
    exec(code, namespace)  # noqa: S102 - running the operator's own config file is the point
    return namespace


def plain(value: Any) -> bool:
    if isinstance(value, SCALARS):
        return not isinstance(value, float) or value == value and abs(value) != float("inf")
    if isinstance(value, (list, tuple)):
        return all(plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    return False


def describe(value: Any) -> Dict[str, Any]:
    try:
        is_plain = plain(value)
    except RecursionError:  # a list that holds itself: not a value to send
        is_plain = False
    if is_plain:
        return {"value": value}
    if callable(value):
        return {"kind": "function"}
    return {"kind": type(value).__name__}


def failure(error: BaseException, location: str) -> str:
    """`NameError: name 'x' is not defined (gunicorn.conf.py, line 3)`: the error and where in the file."""
    where = ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename == location or location.startswith("python:"):
            where = " (%s, line %s)" % (os.path.basename(frame.filename), frame.lineno)
            break
    if isinstance(error, SyntaxError) and error.lineno:
        where = " (%s, line %s)" % (os.path.basename(error.filename or location), error.lineno)
    return "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()[-1] + where


def main(argv: list) -> None:
    location = argv[-1]
    out = os.fdopen(3, "w")
    # A config may import the project's modules, as under Gunicorn run from the project's directory.
    sys.path.insert(0, os.getcwd())
    try:
        names = load(location)
    except BaseException as error:  # noqa: BLE001 - SystemExit from the file is a failure to report too
        json.dump({"error": failure(error, location)}, out)
        return
    report = {
        name: describe(value)
        for name, value in names.items()
        if not name.startswith("_") and not isinstance(value, (types.ModuleType, type))
    }
    # A worker hook is checked here, where a mistake is a start-up error naming the file, not in every worker.
    for name in WORKER_HOOK_ARITY:
        if names.get(name) is None:
            continue
        try:
            worker_hook(name, names[name])
        except TypeError as error:
            json.dump({"invalid": str(error)}, out)
            return
        except BaseException as error:  # noqa: BLE001 - importing the hook's module ran its code (sys.exit too)
            json.dump({"invalid": "%s = %r: %s" % (name, names[name], failure(error, location))}, out)
            return
        report[name] = {"kind": "function"}
    json.dump({"names": report}, out)
