"""A forked worker's own stdout and stderr pipes (tsgi_worker/output.py), in a child interpreter: fds 1 and 2 change."""

import os
import subprocess
import sys
import textwrap
import unittest


def run(script):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        timeout=20,
    )


class Output(unittest.TestCase):
    def test_what_was_written_before_node_said_it_could_not_open_the_pipes_reaches_the_old_stdout_and_stderr(self):
        child = run(
            """
            import os, sys
            from tsgi_worker import output
            out, err = output.divert()
            assert out > 2 and err > 2
            print("written to the pipe", flush=True)
            sys.stderr.write("error in the pipe\\n")
            output.reply(False)
            print("written after", flush=True)
            """
        )
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertEqual(child.stdout, b"written to the pipe\nwritten after\n")
        self.assertEqual(child.stderr, b"error in the pipe\n")

    def test_once_node_opened_them_the_worker_keeps_no_read_end(self):
        child = run(
            """
            import os
            from tsgi_worker import output
            out, err = output.divert()
            output.reply(True)
            for fd in (out, err):
                try:
                    os.fstat(fd)
                except OSError:
                    continue
                raise SystemExit("fd %d is still open" % fd)
            try:
                os.write(1, b"nobody reads this")
            except BrokenPipeError:
                raise SystemExit(7)
            """
        )
        self.assertEqual(child.returncode, 7, child.stderr)


if __name__ == "__main__":
    unittest.main()
