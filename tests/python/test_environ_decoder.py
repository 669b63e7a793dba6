"""EnvironDecoder: a REQUEST's keys and values become the app's environ, each distinct key list decoded once."""

import unittest

from tsgi_worker import wire


def request_payload(pairs, body=b""):
    keys = [k.encode("latin-1") for k, _ in pairs]
    values = [v.encode("latin-1") for _, v in pairs]
    return wire.encode_environ(keys, values) + body


BASE = {"wsgi.version": (1, 0), "wsgi.input": None}


class EnvironDecoderTest(unittest.TestCase):
    def test_the_environ_holds_the_pairs_and_the_base_and_the_offset_of_the_body(self):
        payload = request_payload([("REQUEST_METHOD", "GET"), ("PATH_INFO", "/caf\xe9")], b"hi")
        environ, end = wire.EnvironDecoder(BASE).decode(payload)
        self.assertEqual(environ["REQUEST_METHOD"], "GET")
        self.assertEqual(environ["PATH_INFO"], "/caf\xe9")
        self.assertEqual(environ["wsgi.version"], (1, 0))
        self.assertEqual(payload[end:], b"hi")

    def test_url_scheme_defaults_to_http_and_a_sent_one_wins(self):
        decoder = wire.EnvironDecoder(BASE)
        self.assertEqual(decoder.decode(request_payload([("PATH_INFO", "/")]))[0]["wsgi.url_scheme"], "http")
        sent = request_payload([("PATH_INFO", "/"), ("wsgi.url_scheme", "https")])
        self.assertEqual(decoder.decode(sent)[0]["wsgi.url_scheme"], "https")

    def test_requests_with_the_same_keys_get_their_own_values_and_their_own_dict(self):
        decoder = wire.EnvironDecoder(BASE)
        first, _ = decoder.decode(request_payload([("PATH_INFO", "/a"), ("QUERY_STRING", "x=1")]))
        first["PATH_INFO"] = "/changed-by-the-app"
        first["app.key"] = 1
        second, _ = decoder.decode(request_payload([("PATH_INFO", "/b"), ("QUERY_STRING", "")]))
        self.assertEqual(second["PATH_INFO"], "/b")
        self.assertEqual(second["QUERY_STRING"], "")
        self.assertNotIn("app.key", second)

    def test_keys_are_interned_so_the_apps_literals_find_them_by_identity(self):
        environ, _ = wire.EnvironDecoder(BASE).decode(request_payload([("PATH_INFO", "/")]))
        (key,) = [k for k in environ if k == "PATH_INFO"]
        self.assertIs(key, "PATH_INFO")

    def test_a_value_with_nul_takes_the_lengths_form_and_decodes(self):
        environ, _ = wire.EnvironDecoder(BASE).decode(request_payload([("PATH_INFO", "/a\0b"), ("X", "")]))
        self.assertEqual(environ["PATH_INFO"], "/a\0b")
        self.assertEqual(environ["X"], "")

    def test_a_value_count_unlike_the_key_count_is_refused(self):
        payload = wire.encode_strings([b"A", b"B"]) + wire.encode_strings([b"1"])
        with self.assertRaises(ValueError):
            wire.EnvironDecoder(BASE).decode(payload)

    def test_the_template_cache_stays_bounded_under_ever_new_key_lists(self):
        decoder = wire.EnvironDecoder(BASE)
        for i in range(wire.EnvironDecoder.MAX_TEMPLATES * 2 + 3):
            environ, _ = decoder.decode(request_payload([("HTTP_X_%d" % i, str(i))]))
            self.assertEqual(environ["HTTP_X_%d" % i], str(i))
        self.assertLessEqual(len(decoder._templates), wire.EnvironDecoder.MAX_TEMPLATES)


if __name__ == "__main__":
    unittest.main()
