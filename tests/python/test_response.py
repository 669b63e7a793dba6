"""The worker's PEP 3333 state machine (tsgi_worker/response.py) against a fake channel."""

import sys
import threading
import unittest

from tsgi_worker import wire
from tsgi_worker.channel import Channel
from tsgi_worker.response import Response


class FakeChannel:
    pump = None  # threaded mode: wait() sleeps on the condition
    wait = Channel.wait
    poll = Channel.poll

    def __init__(self):
        self.cond = threading.Condition()
        self.sends = []

    def send(self, data):
        self.sends.append(bytes(data))

    deliver = send  # a whole response: the real channel may hold it; here it is sent as it comes

    def frames(self):
        return [(wire.NAMES[k], p) for k, _rid, p in wire.FrameReader().feed(b"".join(self.sends))]


def run(app, aborted=False, environ=None):
    channel = FakeChannel()
    response = Response(channel, 1)
    response.aborted = aborted
    response.run(app, environ or {})
    return channel


class StartResponse(unittest.TestCase):
    def test_list_body_leaves_in_one_sendall_with_end(self):
        def app(environ, start_response):
            start_response("200 OK", [("A", "b")])
            return [b"x", b"y"]

        channel = run(app)
        self.assertEqual(len(channel.sends), 1)
        self.assertEqual([n for n, _ in channel.frames()], ["HEADERS", "BODY", "BODY", "END"])

    def test_streamed_body_that_completes_its_content_length_goes_out_before_end(self):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Length", "2")])
            return iter([b"x", b"y"])

        channel = run(app)
        # The chunk completing the length goes out with COMPLETE: Node ends the response without waiting for what
        # the app would do next. The iterator has no close(), so END (the request is over) goes with them.
        self.assertEqual(len(channel.sends), 2)
        self.assertTrue(channel.sends[1].startswith(wire.frame_header(wire.BODY, 1, 1) + b"y"))
        self.assertEqual([n for n, _ in channel.frames()], ["HEADERS", "BODY", "BODY", "COMPLETE", "END"])

    def test_a_content_length_with_spaces_around_its_digits_counts(self):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Length", " 2\t")])
            return iter([b"x", b"y", b"past the length"])

        channel = run(app)
        # The body is whole at its declared length: nothing past it is sent.
        self.assertEqual([n for n, _ in channel.frames()], ["HEADERS", "BODY", "BODY", "COMPLETE", "END"])

    def test_a_whole_body_goes_out_before_close_is_called(self):
        channel = FakeChannel()

        class Body:
            def __iter__(self):
                return iter([b"done"])

            def close(self):
                channel.sends.append(b"<close>")

        def app(environ, start_response):
            start_response("200 OK", [("Content-Length", "4")])
            return Body()

        Response(channel, 1).run(app, {})
        self.assertEqual(channel.sends.index(b"<close>"), 1, "the body, then close(), then END")
        self.assertEqual(channel.sends[-1], wire.frame_header(wire.END, 1, 0))

    def test_streamed_body_without_content_length_is_sent_chunk_by_chunk(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            return iter([b"x", b"y"])

        channel = run(app)
        # No close() to wait for (a list iterator): COMPLETE and END leave together after the last chunk.
        self.assertEqual(len(channel.sends), 3)
        self.assertEqual([n for n, _ in channel.frames()], ["HEADERS", "BODY", "BODY", "COMPLETE", "END"])

    def test_second_start_response_without_exc_info_is_an_error(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            start_response("200 OK", [])
            return []

        frames = run(app).frames()
        self.assertEqual(frames[0][0], "ERROR")
        self.assertIn(b"second time without exc_info", frames[0][1])

    def test_exc_info_before_headers_replaces_the_status(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            try:
                raise ValueError("x")
            except ValueError:
                start_response("500 Oops", [], sys.exc_info())
            return [b"e"]

        frames = run(app).frames()
        status = wire.decode_strings(frames[0][1])[0][0]
        self.assertEqual(status, b"500 Oops")

    def test_exc_info_after_headers_reraises_the_apps_error(self):
        def app(environ, start_response):
            write = start_response("200 OK", [])
            write(b"sent")
            try:
                raise KeyError("original")
            except KeyError:
                start_response("500 Oops", [], sys.exc_info())
            return []

        frames = run(app).frames()
        self.assertEqual([n for n, _ in frames], ["HEADERS", "BODY", "ERROR"])
        self.assertIn(b"KeyError: 'original'", frames[-1][1])

    def test_headers_wait_for_the_first_non_empty_chunk(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            yield b""
            raise RuntimeError("before any byte")

        frames = run(app).frames()
        self.assertEqual([n for n, _ in frames], ["ERROR"])  # Node can still answer 500

    def test_str_chunk_is_a_type_error(self):
        def app(environ, start_response):
            start_response("200 OK", [])
            return ["text"]

        frames = run(app).frames()
        self.assertIn(b"TypeError: body chunks must be bytes", frames[-1][1])

    def test_non_latin1_header_is_rejected_in_start_response(self):
        def app(environ, start_response):
            start_response("200 OK", [("X", "\u20ac")])
            return []

        self.assertIn(b"UnicodeEncodeError", run(app).frames()[-1][1])

    def test_a_header_value_that_is_not_a_str_names_the_header(self):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", 5)])
            return [b"hello"]

        error = run(app).frames()[-1][1]
        self.assertIn(b"TypeError: header name and value must be str (PEP 3333 S9): ('Content-Length', 5)", error)

    def test_a_status_that_is_not_a_str_is_a_type_error(self):
        def app(environ, start_response):
            start_response(200, [])
            return []

        self.assertIn(b"TypeError: status must be a str such as '200 OK', not int", run(app).frames()[-1][1])

    def test_a_header_that_is_not_a_pair_tuple_is_a_type_error(self):
        for header in (["X-A", "b"], ("X-A", "b", "c")):
            with self.subTest(header=header):

                def app(environ, start_response):
                    start_response("200 OK", [header])
                    return []

                self.assertIn(b"TypeError: each response header must be a (name, value) tuple", run(app).frames()[-1][1])

    def test_a_generator_app_calls_start_response_on_its_first_chunk(self):
        def app(environ, start_response):
            start_response("200 OK", [("Content-Length", "3")])
            yield b"abc"

        channel = run(app)
        self.assertEqual([n for n, _ in channel.frames()], ["HEADERS", "BODY", "COMPLETE", "END"])

    def test_close_is_called_after_an_error(self):
        closed = []

        class Body:
            def __iter__(self):
                raise RuntimeError("fail")

            def close(self):
                closed.append(True)

        def app(environ, start_response):
            start_response("200 OK", [])
            return Body()

        run(app)
        self.assertEqual(closed, [True])

    def test_a_large_chunk_is_sliced_to_the_credit(self):
        channel = FakeChannel()
        response = Response(channel, 1)
        response.credit = 10

        def grant():
            with channel.cond:
                response.credit += 100
                channel.cond.notify_all()

        timer = threading.Timer(0.05, grant)
        timer.start()

        def app(environ, start_response):
            start_response("200 OK", [])
            return [b"z" * 50]

        response.run(app, {})
        timer.join()
        sizes = [len(p) for n, p in channel.frames() if n == "BODY"]
        self.assertEqual(sizes, [10, 40])

    def test_abort_stops_the_body_and_ends_without_error(self):
        closed = []

        class Body:
            def __iter__(self):
                yield b"a"

            def close(self):
                closed.append(True)

        def app(environ, start_response):
            start_response("200 OK", [])
            return Body()

        frames = run(app, aborted=True).frames()
        self.assertEqual([n for n, _ in frames], ["END"])
        self.assertEqual(closed, [True])


class EarlyHints(unittest.TestCase):
    """environ['wsgi.early_hints'] (Gunicorn >= 23): Response.early_hints, which _run_item puts in the environ."""

    def run_with_hints(self, app):
        channel = FakeChannel()
        response = Response(channel, 1)
        response.run(lambda environ, start_response: app(response.early_hints, start_response), {})
        return channel

    def test_hints_go_out_at_once_as_their_own_frame_before_the_headers(self):
        def app(hints, start_response):
            hints([("Link", "</a.css>; rel=preload"), (b"Link", b" </b.js>; rel=preload ")])
            start_response("200 OK", [])
            return [b"x"]

        channel = self.run_with_hints(app)
        frames = channel.frames()
        self.assertEqual([n for n, _ in frames], ["EARLY_HINTS", "HEADERS", "BODY", "END"])
        self.assertEqual(len(channel.sends), 2)  # the hints did not wait for the response
        items = wire.decode_strings(frames[0][1])[0]
        # bytes are taken as latin-1 (as Gunicorn does) and the value's surrounding blanks are trimmed
        self.assertEqual(items, [b"Link", b"</a.css>; rel=preload", b"Link", b"</b.js>; rel=preload"])

    def test_hints_after_the_body_began_are_ignored(self):
        def app(hints, start_response):
            start_response("200 OK", [])
            yield b"x"
            hints([("Link", "</late.css>")])
            yield b"y"

        frames = self.run_with_hints(app).frames()
        self.assertNotIn("EARLY_HINTS", [n for n, _ in frames])

    def test_a_name_that_is_not_a_token_raises_value_error(self):
        response = Response(FakeChannel(), 1)
        with self.assertRaises(ValueError):
            response.early_hints([("Bad Name", "x")])

    def test_a_value_with_a_line_break_raises_value_error_naming_only_the_header(self):
        response = Response(FakeChannel(), 1)
        with self.assertRaises(ValueError) as caught:
            response.early_hints([("Link", "</a>\r\nSet-Cookie: secret")])
        self.assertNotIn("secret", str(caught.exception))

    def test_no_pairs_send_nothing(self):
        channel = FakeChannel()
        Response(channel, 1).early_hints([])
        self.assertEqual(channel.sends, [])



class StartResponseChecks(unittest.TestCase):
    """PEP 3333 S9: start_response raises on what the server would refuse, while the app can still act on it."""

    def start(self, status, headers):
        channel = FakeChannel()
        return Response(channel, 1), channel

    def test_a_status_without_reason_or_of_an_interim_response_raises_value_error(self):
        for status in ("200", "102 Processing", "100 Continue", "600 Beyond", "20 OK", "200 OK ", "abc"):
            with self.subTest(status=status):
                response, _ = self.start(status, [])
                with self.assertRaisesRegex(ValueError, "invalid status"):
                    response.start_response(status, [])

    def test_a_header_name_that_is_not_a_token_raises_value_error(self):
        response, _ = self.start("200 OK", [])
        with self.assertRaisesRegex(ValueError, "name 'X Bad' is not an HTTP token"):
            response.start_response("200 OK", [("X Bad", "v")])

    def test_a_control_character_in_a_value_raises_naming_the_header_only(self):
        response, _ = self.start("200 OK", [])
        with self.assertRaises(ValueError) as caught:
            response.start_response("200 OK", [("X-User", "evil\r\nSet-Cookie: x=1")])
        self.assertIn("'X-User'", str(caught.exception))
        self.assertNotIn("evil", str(caught.exception))

    def test_two_content_lengths_that_disagree_raise_value_error(self):
        with self.assertRaisesRegex(ValueError, "two Content-Length headers disagree"):
            Response(FakeChannel(), 1).start_response("200 OK", [("Content-Length", "3"), ("content-length", "5")])
        Response(FakeChannel(), 2).start_response("200 OK", [("Content-Length", "5"), ("Content-Length", "5")])

    def test_a_header_name_seen_before_is_still_not_a_valid_status(self):
        response = Response(FakeChannel(), 1)
        response.start_response("200 OK", [("200", "a token is a valid name")])
        with self.assertRaisesRegex(ValueError, "invalid status '200'"):
            Response(FakeChannel(), 2).start_response("200", [])

    def test_after_a_refused_start_the_app_may_start_again_without_exc_info(self):
        response, _ = self.start("200 OK", [])
        with self.assertRaises(ValueError):
            response.start_response("200 OK", [("X", "a\nb")])
        response.start_response("400 Bad Request", [("X", "ok\tvalue")])  # TAB is allowed
        self.assertIsNotNone(response.head)


class StaleWrite(unittest.TestCase):
    def test_write_kept_from_a_finished_request_raises(self):
        kept = []

        def app(environ, start_response):
            kept.append(start_response("200 OK", []))
            return [b"done"]

        run(app)
        with self.assertRaisesRegex(RuntimeError, "write\\(\\) of a request that is over"):
            kept[0](b"late")


class CloseErrors(unittest.TestCase):
    def test_close_raising_keyboard_interrupt_is_logged_and_the_whole_response_still_ends(self):
        class Body:
            def __iter__(self):
                return iter([b"whole"])

            def close(self):
                raise KeyboardInterrupt

        def app(environ, start_response):
            start_response("200 OK", [("Content-Length", "5")])
            return Body()

        names = [n for n, _ in run(app).frames()]
        self.assertEqual(names, ["HEADERS", "BODY", "COMPLETE", "LOG", "END"])

    def test_the_logged_close_error_names_the_request(self):
        class Body:
            def __iter__(self):
                return iter([])

            def close(self):
                raise ValueError("broken close")

        def app(environ, start_response):
            start_response("204 No Content", [])
            return Body()

        environ = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": "/app", "PATH_INFO": "/items", "QUERY_STRING": "a=1"}
        logs = [p.decode() for n, p in run(app, environ=environ).frames() if n == "LOG"]
        self.assertEqual(len(logs), 1)
        self.assertTrue(logs[0].startswith("Error closing the response iterable of POST /app/items?a=1 (PEP 3333 S14)\n"))
        self.assertIn("ValueError: broken close", logs[0])


class NoStartResponse(unittest.TestCase):
    def test_an_empty_body_without_start_response_is_an_error_saying_so(self):
        def app(environ, start_response):
            return []

        frames = run(app).frames()
        self.assertEqual([n for n, _ in frames], ["ERROR"])
        self.assertIn("returned its body without ever calling start_response() (PEP 3333 S8)", frames[0][1].decode())

    def test_body_data_before_start_response_is_an_error_saying_so(self):
        def app(environ, start_response):
            return [b"data"]

        frames = run(app).frames()
        self.assertEqual([n for n, _ in frames], ["ERROR"])
        self.assertIn("returned body data before calling start_response() (PEP 3333 S8)", frames[0][1].decode())


if __name__ == "__main__":
    unittest.main()
