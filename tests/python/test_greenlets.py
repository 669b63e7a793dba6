"""-k gevent's greenlets (tsgi_worker/greenlets.py): how many run at once, in which order, and how STOP ends them.
The process is not monkey-patched: Greenlets uses gevent's own queue and spawn."""

import unittest

try:
    import gevent
except ImportError:  # the venv has it (requirements-dev.txt); another interpreter may not
    gevent = None


@unittest.skipIf(gevent is None, "gevent is not installed in this interpreter")
class GreenletsTest(unittest.TestCase):
    def make(self, size, seconds=0.01):
        from tsgi_worker.greenlets import Greenlets

        self.running = 0
        self.most = 0
        self.started = []

        def run_item(item, errors):
            self.started.append(item)
            self.running += 1
            self.most = max(self.most, self.running)
            gevent.sleep(seconds)
            self.running -= 1

        return Greenlets(size, run_item, lambda: None)

    def test_runs_queued_requests_at_once_up_to_its_size(self):
        greenlets = self.make(3)
        for i in range(10):
            greenlets.put(i)
        greenlets.stop()
        greenlets.join()
        self.assertEqual(self.most, 3)
        self.assertEqual(sorted(self.started), list(range(10)))

    def test_starts_requests_in_arrival_order(self):
        greenlets = self.make(4)
        for i in range(12):
            greenlets.put(i)
        greenlets.stop()
        greenlets.join()
        self.assertEqual(self.started, list(range(12)))

    def test_reuses_an_idle_greenlet_rather_than_starting_another(self):
        greenlets = self.make(100)
        for i in range(5):
            greenlets.put(i)
            gevent.sleep(0.03)  # the previous request is done: its greenlet waits for the next
        self.assertEqual(greenlets._live, 1)
        greenlets.stop()
        greenlets.join()
        self.assertEqual(greenlets._live, 0)

    def test_stop_runs_what_is_queued_first(self):
        greenlets = self.make(1)
        for i in range(3):
            greenlets.put(i)
        greenlets.stop()
        greenlets.join()
        self.assertEqual(self.started, [0, 1, 2])

    def test_stop_with_nothing_running_ends_at_once(self):
        greenlets = self.make(5)
        greenlets.stop()
        with gevent.Timeout(1):
            greenlets.join()


if __name__ == "__main__":
    unittest.main()
