"""Import the WSGI app from a target, with Gunicorn's syntax (gunicorn/util.py import_app):

    'pkg.module:name'         an attribute (a dotted path is allowed: 'module:obj.app')
    'pkg.module:factory()'    call a factory; literal arguments are allowed: 'module:create_app("prod", debug=False)'
    'pkg.module'              the attribute 'application'
    'config:/path/file.ini'   --paste: the app of a PasteDeploy file ('config:/path/file.ini#name' for [app:name])
"""

from __future__ import annotations

import ast
import importlib
import os
from typing import Any, Callable, Dict, Optional


class AppImportError(Exception):
    """The module imported, but the target does not name a usable WSGI callable."""


def _parse(expression: str):
    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        raise AppImportError("Failed to parse %r as an attribute name or function call." % expression) from None
    if isinstance(node, ast.Name):
        return node.id, None, None
    if isinstance(node, ast.Attribute):
        return ast.unparse(node) if hasattr(ast, "unparse") else expression, None, None
    if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
        except ValueError:
            raise AppImportError(
                "Failed to parse arguments as literal values: %r. Only literals (strings, numbers, ...) "
                "may be passed to an app factory." % expression
            ) from None
        name = node.func.id if isinstance(node.func, ast.Name) else expression.split("(", 1)[0].strip()
        return name, args, kwargs
    raise AppImportError("Failed to parse %r as an attribute name or function call." % expression)


def import_app(target: str, paste_global: Optional[Dict[str, str]] = None) -> Callable[..., Any]:
    uri = paste_uri(target)
    if uri is not None:
        return load_paste(uri, paste_global)
    module_name, _, expression = target.partition(":")
    expression = expression.strip() or "application"
    name, args, kwargs = _parse(expression)
    module = importlib.import_module(module_name.strip())

    app: Any = module
    for part in name.split("."):
        try:
            app = getattr(app, part)
        except AttributeError:
            raise AppImportError("Failed to find attribute %r in %r." % (name, module_name)) from None

    if args is not None:
        try:
            app = app(*args, **kwargs)
        except TypeError as error:
            # Gunicorn's rule: a TypeError raised by the call itself means a wrong signature.
            if error.__traceback__ is not None and error.__traceback__.tb_next is None:
                raise AppImportError("Error while calling %r with %r: %s" % (name, expression, error)) from None
            raise
    if app is None:
        raise AppImportError("Failed to find application object: %r is None." % expression)
    if not callable(app):
        raise AppImportError("Application object %r in %r is not callable." % (expression, module_name))
    return app


def paste_uri(target: str) -> Optional[str]:
    """'/path/file.ini[#name]' when the target is --paste's 'config:/path/file.ini[#name]' (src/config/resolve.ts):
    no Python attribute or call starts with '/', so a module named 'config' stays a module."""
    module_name, _, expression = target.partition(":")
    return expression if module_name == "config" and expression.startswith("/") else None


def configure_paste_logging(target: str) -> None:
    """--paste: Python logging from the file's [loggers], if it has them, as Gunicorn applies the file as its
    logconfig. Run first thing in a worker (or the zygote), before the config file's hooks, as Gunicorn's arbiter
    does it before any fork."""
    uri = paste_uri(target)
    if uri is None:
        return
    import configparser
    import logging.config

    path = uri.partition("#")[0]
    parser = configparser.ConfigParser()
    parser.read([path])
    if parser.has_section("loggers"):
        logging.config.fileConfig(path, {"__file__": path, "here": os.path.dirname(path)}, disable_existing_loggers=False)


def load_paste(uri: str, global_conf: Optional[Dict[str, str]] = None) -> Callable[..., Any]:
    """--paste FILE[#NAME]: the app, as Gunicorn loads it (gunicorn/app/pasterapp.py): PasteDeploy's loadapp,
    relative to the working directory."""
    try:
        from paste.deploy import loadapp
    except ImportError:
        raise AppImportError(
            "--paste needs the PasteDeploy package in the app's interpreter (pip install PasteDeploy)."
        ) from None
    return loadapp("config:" + uri, relative_to=os.getcwd(), global_conf=global_conf or None)
