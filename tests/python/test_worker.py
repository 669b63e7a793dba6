"""The worker's request path (tsgi_worker/worker.py) against a fake channel: environ, wsgi.input, wsgi.errors."""

import os
import subprocess
import sys
import textwrap
import threading
import unittest

from tsgi_worker import wire
from tsgi_worker.log import ErrorStream
from tsgi_worker.response import Response
from tsgi_worker.worker import Worker


class FakeChannel:
    pump = None

    def __init__(self):
        self.cond = threading.Condition()
        self.sends = []

    def send(self, data):
        self.sends.append(bytes(data))

    deliver = send  # a whole response: the real channel may hold it; here it is sent as it comes

    def poll(self):
        pass

    def frames(self):
        return [(wire.NAMES[k], rid, p) for k, rid, p in wire.FrameReader().feed(b"".join(self.sends))]


def request(environ, body=b""):
    keys = [k.encode("latin-1") for k in environ]
    values = [v.encode("latin-1") for v in environ.values()]
    return wire.encode_environ(keys, values) + body


def serve(app, *requests):
    """Run the requests in turn on one app thread, as the single-threaded worker does; returns the channel."""
    channel = FakeChannel()
    worker = Worker(app, channel, 1, False)
    errors = ErrorStream(channel)
    for rid, payload in enumerate(requests, start=1):
        worker._run_item((wire.REQUEST, payload, Response(channel, rid)), errors)
    return channel


class WorkerRequests(unittest.TestCase):
    def test_the_app_sees_the_environ_and_reads_the_body(self):
        seen = {}

        def app(environ, start_response):
            seen["path"] = environ["PATH_INFO"]
            seen["body"] = environ["wsgi.input"].read()
            seen["version"] = environ["wsgi.version"]
            start_response("200 OK", [])
            return []

        serve(app, request({"PATH_INFO": "/caf\xe9", "CONTENT_LENGTH": "2"}, b"hi"))
        self.assertEqual(seen, {"path": "/caf\xe9", "body": b"hi", "version": (1, 0)})

    def test_each_requests_error_lines_go_out_as_log_frames_of_that_request(self):
        def app(environ, start_response):
            errors = environ["wsgi.errors"]
            errors.write("line of %s\n" % environ["PATH_INFO"])
            errors.write("unfinished")
            start_response("200 OK", [])
            return []

        channel = serve(app, request({"PATH_INFO": "/a"}), request({"PATH_INFO": "/b"}))
        logs = [(rid, p.decode()) for name, rid, p in channel.frames() if name == "LOG"]
        # A complete line at once; the rest of a line when its request ends, never mixed into the next request.
        self.assertEqual(logs, [(1, "line of /a\n"), (1, "unfinished"), (2, "line of /b\n"), (2, "unfinished")])

    def test_a_request_whose_client_left_before_it_started_is_not_run(self):
        ran = []

        def app(environ, start_response):
            ran.append(True)
            start_response("200 OK", [])
            return []

        channel = FakeChannel()
        worker = Worker(app, channel, 1, False)
        response = Response(channel, 7)
        response.aborted = True
        worker._run_item((wire.REQUEST, request({"PATH_INFO": "/"}), response), ErrorStream(channel))
        self.assertEqual(ran, [])
        self.assertEqual([(n, rid) for n, rid, _ in channel.frames()], [("END", 7)])


class Heartbeat(unittest.TestCase):
    # threads > 1, as Gunicorn's gthread worker: a thread of its own says the worker is alive while a request runs
    # long, which is what Node's --timeout watches (docs/wire.md, Timeouts).
    @staticmethod
    def names_sent(seconds, **worker):
        """The frames a worker with two threads sends for one request that runs `seconds`, then STOP."""
        channel = FakeChannel()
        data = iter([wire.encode_frame(wire.REQUEST, 1, request({"PATH_INFO": "/"})) + wire.frame_header(wire.STOP, 0, 0)])
        channel.receiver = lambda: lambda: next(data, None) or threading.Event().wait()

        def app(environ, start_response):
            threading.Event().wait(seconds)
            start_response("200 OK", [])
            return [b"late"]

        Worker(app, channel, 2, False, **worker).run()  # returns at STOP, once the request is done
        return [name for name, _, _ in channel.frames()]

    def test_with_threads_heartbeats_go_out_while_a_request_runs(self):
        names = self.names_sent(0.3, heartbeat=0.05)
        self.assertGreaterEqual(names[: names.index("END")].count("HEARTBEAT"), 3, names)

    def test_without_a_heartbeat_setting_none_is_sent(self):
        self.assertNotIn("HEARTBEAT", self.names_sent(0.2))


class ReaderFailure(unittest.TestCase):
    # A frame the reader cannot apply (a CREDIT too short to hold its u32) ends the process with its traceback:
    # with threads (or greenlets) a dead reader would leave the worker taking requests it never starts.
    SCRIPT = textwrap.dedent(
        """
        import threading
        from tsgi_worker import wire
        from tsgi_worker.worker import Worker

        class Channel:
            pump = None
            cond = threading.Condition()
            def receiver(self):
                frames = [wire.encode_frame(wire.REQUEST, 1, b""), wire.encode_frame(wire.CREDIT, 1, b"x")]
                data = iter([b"".join(frames)])
                return lambda: next(data, None) or threading.Event().wait()
            def send(self, data):
                pass

        def app(environ, start_response):
            threading.Event().wait()  # the request runs for ever: only the reader's end can end the process

        Worker(app, Channel(), 2, False).run()
        """
    )

    def test_a_reader_that_fails_ends_the_worker_with_its_traceback(self):
        run = subprocess.run(
            [sys.executable, "-c", self.SCRIPT],
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            capture_output=True,
            text=True,
            timeout=20,
        )
        self.assertEqual(run.returncode, 1, run.stderr)
        self.assertIn("struct.error", run.stderr)


if __name__ == "__main__":
    unittest.main()
