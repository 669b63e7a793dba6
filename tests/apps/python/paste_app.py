"""A PasteDeploy app factory (tests/apps/python/paste.ini names it): answers with its `greeting` setting and logs
each request at INFO on the 'paste_app' logger, which only the file's [loggers] let through."""

import logging

log = logging.getLogger("paste_app")


def make_app(global_conf, greeting="hello"):
    def application(environ, start_response):
        log.info("served %s", environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [greeting.encode()]

    return application
