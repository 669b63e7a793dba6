"""Hello world: the smallest PEP 3333 app."""


def application(environ, start_response):
    body = b"Hello, World!\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def create_app(greeting="Hello"):
    """A factory, for 'hello:create_app()' targets."""

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [greeting.encode() + b"\n"]

    return app
