"""Sends 103 Early Hints before its response through environ['wsgi.early_hints'] (Gunicorn >= 23's extension).

/          two calls: one Link, then two Link headers; then the response
/late      a hint from inside the body, once the response has begun (ignored)
/bad-name  a hint with a name that is not a token: the app sees the ValueError and says so in its body
/no-link   a hint without a Link header (Node's writeEarlyHints sends none)
"""


def application(environ, start_response):
    hints = environ["wsgi.early_hints"]
    path = environ["PATH_INFO"]
    if path == "/late":
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body():
            yield b"first\n"
            hints([("Link", "</late.css>; rel=preload; as=style")])
            yield b"second\n"

        return body()
    if path == "/bad-name":
        try:
            hints([("Bad Name", "x")])
            outcome = b"accepted"
        except ValueError:
            outcome = b"ValueError"
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [outcome]
    if path == "/no-link":
        hints([("X-Hint", "yes")])
    else:
        hints([("Link", "</style.css>; rel=preload; as=style")])
        hints([(b"Link", b"</app.js>; rel=preload; as=script"), ("link", "</font.woff2>; rel=preload; as=font")])
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
    return [b"ok\n"]
