"""Held responses (tsgi_worker/channel.py, docs/wire.md): frames of whole responses held in the shared ring while
more requests are queued, sent together later, and described in the ring's header for Node to read after a crash."""

import mmap
import os
import socket
import struct
import tempfile
import threading
import time
import unittest

from tsgi_worker import wire
from tsgi_worker.channel import FLUSHER_MAX_SECONDS, HOLD_SECONDS, RING_HEADER, Channel, create_ring
from tsgi_worker.worker import Worker

RING_BYTES = 4096


class HeldResponses(unittest.TestCase):
    def setUp(self):
        self.ours, self.node = socket.socketpair()
        self.node.setblocking(False)
        self.file = tempfile.TemporaryFile()
        self.file.truncate(RING_HEADER + RING_BYTES)
        self.ring = mmap.mmap(self.file.fileno(), RING_HEADER + RING_BYTES)
        self.channel = Channel(self.ours, self.ring)

    def tearDown(self):
        self.ours.close()
        self.node.close()
        self.file.close()  # the mapping goes with the channel's views of it

    def received(self) -> bytes:
        try:
            return self.node.recv(1 << 20)
        except BlockingIOError:
            return b""

    def header(self):
        """What Node reads after a crash: bytes of the stream sent before the held ones, and with them."""
        return struct.unpack_from("=QQ", self.ring, 0)

    def test_whole_responses_are_held_while_holding_and_leave_together_on_release(self):
        self.channel.holding = True
        self.channel.deliver(b"first")
        self.channel.deliver(b"second")
        self.assertEqual(self.received(), b"")
        self.channel.release()
        self.assertEqual(self.received(), b"firstsecond")

    def test_the_ring_holds_what_was_not_sent_and_its_header_says_where_it_starts(self):
        self.channel.send(b"sent-")
        self.channel.holding = True
        self.channel.deliver(b"held")
        self.assertEqual(self.header(), (5, 9))
        self.assertEqual(self.ring[RING_HEADER : RING_HEADER + 4], b"held")
        self.channel.release()
        self.assertEqual(self.header(), (9, 9))

    def test_frames_sent_now_go_after_the_held_ones(self):
        self.channel.holding = True
        self.channel.deliver(b"held")
        self.channel.send(b"now")
        self.assertEqual(self.received(), b"heldnow")
        self.assertEqual(self.header(), (7, 7))

    def test_without_holding_a_whole_response_is_sent_at_once(self):
        self.channel.deliver(b"whole")
        self.assertEqual(self.received(), b"whole")

    def test_without_a_ring_nothing_is_held(self):
        channel = Channel(self.ours)
        channel.holding = True
        channel.deliver(b"whole")
        self.assertEqual(self.received(), b"whole")

    def test_a_response_larger_than_the_ring_goes_at_once_after_what_is_held(self):
        self.channel.holding = True
        self.channel.deliver(b"held")
        big = b"x" * (RING_BYTES + 1)
        self.channel.deliver(big)
        got = b""
        while len(got) < 4 + len(big):
            got += self.received()
        self.assertEqual(got, b"held" + big)
        self.assertEqual(self.header(), (len(got), len(got)))

    def test_held_frames_that_would_overflow_the_ring_send_the_earlier_ones_first(self):
        self.channel.holding = True
        self.channel.deliver(b"a" * (RING_BYTES - 10))
        self.channel.deliver(b"b" * 20)
        self.assertEqual(self.received(), b"a" * (RING_BYTES - 10))
        self.assertEqual(self.header(), (RING_BYTES - 10, RING_BYTES + 10))

    def test_between_requests_only_frames_held_past_the_hold_time_are_sent(self):
        self.channel.holding = True
        self.channel.deliver(b"held")
        self.channel.release_late(self.channel.held_at + HOLD_SECONDS / 2)
        self.assertEqual(self.received(), b"")
        self.channel.release_late(self.channel.held_at + HOLD_SECONDS * 2)
        self.assertEqual(self.received(), b"held")

    def test_the_flusher_sends_frames_held_while_a_request_runs_long(self):
        self.channel.start_flusher()
        self.channel.holding = True
        self.channel.deliver(b"held")
        # Nothing calls release(): the worker is busy with a slow request.
        deadline = time.monotonic() + FLUSHER_MAX_SECONDS * 10
        got = b""
        while not got and time.monotonic() < deadline:
            time.sleep(0.005)
            got = self.received()
        self.assertEqual(got, b"held")



class CountingSocket:
    """The worker's end of the channel, counting its sendall calls (one system call each)."""

    def __init__(self, sock):
        self.sock = sock
        self.sendalls = 0

    def sendall(self, data):
        self.sendalls += 1
        self.sock.sendall(data)

    def recv_into(self, buffer):
        return self.sock.recv_into(buffer)

    def fileno(self):
        return self.sock.fileno()


class SingleThreadedLoop(unittest.TestCase):
    def test_responses_to_requests_that_arrived_together_leave_in_one_system_call(self):
        ours, node = socket.socketpair()
        counting = CountingSocket(ours)
        file = tempfile.TemporaryFile()
        file.truncate(RING_HEADER + RING_BYTES)
        ring = mmap.mmap(file.fileno(), RING_HEADER + RING_BYTES)

        def app(environ, start_response):
            start_response("200 OK", [("Content-Length", "2")])
            return [b"ok"]

        environ = wire.encode_environ([b"PATH_INFO"], [b"/"])
        node.sendall(
            b"".join(wire.encode_frame(wire.REQUEST, rid, environ) for rid in (1, 2, 3, 4))
            + wire.encode_frame(wire.STOP, 0)
        )
        Worker(app, Channel(counting, ring), 1, False).run()  # returns at STOP
        node.setblocking(False)
        got = node.recv(1 << 20)
        frames = [(wire.NAMES[kind], rid) for kind, rid, _ in wire.FrameReader().feed(got)]
        self.assertEqual(frames, [(name, rid) for rid in (1, 2, 3, 4) for name in ("HEADERS", "BODY", "END")])
        # The first three were held while two or more waited behind them; the fourth took them along.
        self.assertEqual(counting.sendalls, 1)
        self.assertEqual(struct.unpack_from("=QQ", ring, 0), (len(got), len(got)))
        ours.close()
        node.close()
        file.close()


class GiveBack(unittest.TestCase):
    # docs/wire.md, GIVE_BACK: requests queued behind one that runs long go back to Node, which sends them to a free
    # worker; the worker takes them out of its queue (or reads them off the channel) first, so it never runs them.
    def test_requests_queued_behind_a_slow_one_are_given_back_and_never_run(self):
        ours, node = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(node.close)
        ran = []

        def app(environ, start_response):
            ran.append(environ["PATH_INFO"])
            if environ["PATH_INFO"] == "/slow":
                time.sleep(0.6)
            start_response("200 OK", [])
            return []

        def request(rid, path):
            return wire.encode_frame(wire.REQUEST, rid, wire.encode_environ([b"PATH_INFO"], [path]))

        node.sendall(request(1, b"/slow") + request(2, b"/queued"))  # read together: 2 waits in the queue
        worker = threading.Thread(target=Worker(app, Channel(ours), 1, False).run, daemon=True)
        worker.start()
        time.sleep(0.1)
        # Sent while /slow runs: 3 stays on the channel until the flusher reads it; its ABORT is left for the
        # worker's own thread, which finds no such request any more.
        node.sendall(request(3, b"/sent-later") + wire.encode_frame(wire.ABORT, 3))
        reader, frames = wire.FrameReader(), []
        while not any(kind == wire.END for kind, _, _ in frames):
            frames += reader.feed(node.recv(65536))
        node.sendall(wire.encode_frame(wire.STOP, 0))
        worker.join(5)
        self.assertFalse(worker.is_alive())
        given = [rid for kind, _, payload in frames if kind == wire.GIVE_BACK for rid in wire.decode_ids(payload)]
        self.assertEqual(given, [2, 3])
        self.assertEqual([(wire.NAMES[kind], rid) for kind, rid, _ in frames if kind != wire.GIVE_BACK],
                         [("HEADERS", 1), ("END", 1)])  # fmt: skip
        self.assertEqual(ran, ["/slow"])

    def test_requests_behind_a_quick_one_are_not_given_back(self):
        ours, node = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(node.close)

        def app(environ, start_response):
            start_response("200 OK", [])
            return []

        environ = wire.encode_environ([b"PATH_INFO"], [b"/"])
        node.sendall(
            b"".join(wire.encode_frame(wire.REQUEST, rid, environ) for rid in range(1, 41))
            + wire.encode_frame(wire.STOP, 0)
        )
        Worker(app, Channel(ours), 1, False).run()
        node.setblocking(False)
        kinds = [kind for kind, _, _ in wire.FrameReader().feed(node.recv(1 << 20))]
        self.assertEqual(kinds.count(wire.END), 40)
        self.assertNotIn(wire.GIVE_BACK, kinds)


class RingOfAForkedWorker(unittest.TestCase):
    def offered(self):
        ours, node = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(node.close)
        fd, ring = create_ring(RING_HEADER + 4096)
        self.addCleanup(os.close, fd)
        counting = CountingSocket(ours)
        channel = Channel(counting)
        channel.offered = ring
        channel.holding = True
        return channel, counting, ring

    def test_whole_responses_are_held_only_once_node_said_it_opened_the_ring(self):
        channel, counting, ring = self.offered()
        channel.deliver(b"first")
        self.assertEqual(counting.sendalls, 1, "sent: Node could not read it back after a crash yet")
        channel.ring_reply(True)
        self.assertEqual(struct.unpack_from("=QQ", ring, 0), (5, 5), "the ring starts where the stream is")
        channel.deliver(b"second")
        self.assertEqual(counting.sendalls, 1, "held")
        self.assertEqual(struct.unpack_from("=QQ", ring, 0), (5, 11))

    def test_a_ring_node_could_not_open_is_never_used(self):
        channel, counting, _ = self.offered()
        channel.ring_reply(False)
        channel.deliver(b"first")
        channel.deliver(b"second")
        self.assertEqual(counting.sendalls, 2)
        self.assertIsNone(channel.offered)


    def test_it_is_unlinked_written_out_and_open_for_node_through_proc(self):
        fd, ring = create_ring(RING_HEADER + 4096)
        try:
            self.assertEqual(os.fstat(fd).st_nlink, 0, "unlinked")
            self.assertEqual(os.fstat(fd).st_blocks * 512 >= RING_HEADER + 4096, True, "written out, not sparse")
            ring[RING_HEADER : RING_HEADER + 3] = b"abc"
            with open("/proc/%d/fd/%d" % (os.getpid(), fd), "rb") as seen:
                self.assertEqual(seen.read()[RING_HEADER : RING_HEADER + 3], b"abc")
        finally:
            ring.close()
            os.close(fd)

    def test_no_room_means_no_ring(self):
        self.assertEqual(create_ring(0), (-1, None))


if __name__ == "__main__":
    unittest.main()
