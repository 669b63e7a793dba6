"""The Python codec against the shared byte-exact vectors (tests/fixtures/wire); the TypeScript codec reads the
same files in tests/runtimes/python/wire.test.ts."""

import json
import re
import unittest
from pathlib import Path

from tsgi_worker import wire

VECTORS = Path(__file__).resolve().parent.parent / "fixtures" / "wire"


def read_hex(name):
    text = (VECTORS / (name + ".hex")).read_text()
    return bytes.fromhex(re.sub(r"\s+", "", re.sub(r"#.*", "", text)))


def pairs(items):
    return [[items[i], items[i + 1]] for i in range(0, len(items) - 1, 2)]


def describe(kind, rid, payload):
    name = wire.NAMES[kind]
    if kind in (wire.REQUEST, wire.REQUEST_FILE):
        environ, end = wire.decode_environ(payload)
        out = {"type": name, "id": rid, "environ": [[k, v] for k, v in environ.items()]}
        if kind == wire.REQUEST:
            out["body"] = payload[end:].decode("latin-1")
        else:
            out["path"] = payload[end:].decode("utf-8")
        return out
    if kind == wire.HEADERS:
        items = [s.decode("latin-1") for s in wire.decode_strings(payload)[0]]
        return {"type": name, "id": rid, "status": items[0], "headers": pairs(items[1:])}
    if kind == wire.BODY:
        return {"type": name, "id": rid, "body": payload.decode("latin-1")}
    if kind == wire.CREDIT:
        return {"type": name, "id": rid, "credit": wire.decode_credit(payload)}
    if kind == wire.FILE_REPLY:
        return {"type": name, "id": rid, "ok": payload[:1] == b"\x01"}
    if kind == wire.GIVE_BACK:
        return {"type": name, "id": rid, "ids": wire.decode_ids(payload)}
    if kind == wire.FILE:
        path, offset, length, device, inode = wire.decode_file(payload)
        return {
            "type": name, "id": rid, "path": path, "offset": offset, "length": length,
            "device": str(device), "inode": str(inode),
        }  # fmt: skip
    if kind in (wire.LOG, wire.READY, wire.ERROR):
        return {"type": name, "id": rid, "text": payload.decode("utf-8")}
    if kind == wire.IMPORT_FAILED:
        return {"type": name, "id": rid, "strings": [s.decode("utf-8") for s in wire.decode_strings(payload)[0]]}
    return {"type": name, "id": rid}


def encode(frame):
    kind = getattr(wire, frame["type"])
    rid = frame["id"]
    latin = lambda s: s.encode("latin-1")  # noqa: E731
    if kind in (wire.REQUEST, wire.REQUEST_FILE):
        keys = [latin(k) for k, _ in frame["environ"]]
        values = [latin(v) for _, v in frame["environ"]]
        tail = latin(frame["body"]) if kind == wire.REQUEST else frame["path"].encode("utf-8")
        return wire.encode_frame(kind, rid, wire.encode_environ(keys, values) + tail)
    if kind == wire.HEADERS:
        # What start_response sends: str items, encoded to latin-1 in one go.
        items = [frame["status"]] + [s for pair in frame["headers"] for s in pair]
        return wire.encode_text_frame(kind, rid, items)
    if kind == wire.BODY:
        return wire.encode_frame(kind, rid, latin(frame["body"]))
    if kind == wire.CREDIT:
        return wire.encode_frame(kind, rid, wire.encode_credit(frame["credit"]))
    if kind == wire.FILE_REPLY:
        return wire.encode_frame(kind, rid, b"\x01" if frame["ok"] else b"\x00")
    if kind == wire.GIVE_BACK:
        return wire.encode_frame(kind, rid, wire.encode_ids(frame["ids"]))
    if kind == wire.FILE:
        info = (frame["path"], frame["offset"], frame["length"], int(frame["device"]), int(frame["inode"]))
        return wire.encode_frame(kind, rid, wire.encode_file(*info))
    if kind in (wire.LOG, wire.READY, wire.ERROR):
        return wire.encode_frame(kind, rid, frame["text"].encode("utf-8"))
    if kind == wire.IMPORT_FAILED:
        return wire.encode_frame(kind, rid, wire.encode_strings([s.encode("utf-8") for s in frame["strings"]]))
    return wire.encode_frame(kind, rid)


class WireVectors(unittest.TestCase):
    def names(self):
        return sorted(p.stem for p in VECTORS.glob("*.hex"))

    def expected(self, name):
        return json.loads((VECTORS / (name + ".json")).read_text())["frames"]

    def test_vectors_exist(self):
        self.assertGreaterEqual(len(self.names()), 5)

    def test_each_vector_decodes_to_its_description(self):
        for name in self.names():
            with self.subTest(name):
                frames = [describe(*f) for f in wire.FrameReader().feed(read_hex(name))]
                self.assertEqual(frames, self.expected(name))

    def test_each_vector_decodes_the_same_one_byte_at_a_time(self):
        for name in self.names():
            with self.subTest(name):
                reader = wire.FrameReader()
                frames = []
                for byte in read_hex(name):
                    frames.extend(describe(*f) for f in reader.feed(bytes([byte])))
                self.assertEqual(frames, self.expected(name))

    def test_encoding_each_description_gives_the_bytes_back(self):
        for name in self.names():
            with self.subTest(name):
                self.assertEqual(b"".join(encode(f) for f in self.expected(name)), read_hex(name))


if __name__ == "__main__":
    unittest.main()


def text_frame_payload(items):
    ((kind, rid, payload),) = list(wire.FrameReader().feed(wire.encode_text_frame(wire.HEADERS, 9, items)))
    assert (kind, rid) == (wire.HEADERS, 9)
    return payload


class TextFrame(unittest.TestCase):
    def test_strings_without_nul_take_the_separated_form(self):
        payload = text_frame_payload(["200 OK", "Content-Type", "text/plain; charset=\xe9"])
        self.assertEqual(payload[:4], (3 | wire.SEPARATED).to_bytes(4, "big"))
        self.assertEqual(wire.decode_strings(payload)[0], [b"200 OK", b"Content-Type", b"text/plain; charset=\xe9"])

    def test_a_string_with_a_nul_takes_the_lengths_form_and_round_trips(self):
        items = ["200 OK", "X-A", "a\0b", "X-B", ""]
        payload = text_frame_payload(items)
        self.assertEqual(payload[:4], (5).to_bytes(4, "big"))
        self.assertEqual(wire.decode_strings(payload)[0], [s.encode("latin-1") for s in items])

    def test_a_string_above_latin1_raises_its_own_unicode_error(self):
        with self.assertRaises(UnicodeEncodeError) as caught:
            wire.encode_text_frame(wire.HEADERS, 1, ["200 OK", "X", "price \u20ac"])
        self.assertEqual(caught.exception.object, "price \u20ac")

    def test_an_item_that_is_not_a_str_raises_a_type_error(self):
        with self.assertRaises(TypeError):
            wire.encode_text_frame(wire.HEADERS, 1, ["200 OK", "X", 3])

