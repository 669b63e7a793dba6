// One gunicorn.conf.py, two servers: the file a Gunicorn deployment already has runs tsgi the same way (its
// raw_env reaches the app; under tsgi its proc_name names the processes), and what tsgi does not honour is logged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { commandLine, skipPython, startGunicorn, startTsgi } from './support/server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-gunicorn-conf-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const conf = join(dir, 'gunicorn.conf.py');
writeFileSync(
  conf,
  [
    'import os',
    'raw_env = ["GREETING=set by gunicorn.conf.py"]',
    'proc_name = "conf-demo"',
    'timeout = 45',
    'worker_tmp_dir = "/dev/shm"',
    'def when_ready(server):',
    '    pass',
  ].join('\n'),
);

test('a gunicorn.conf.py given with -c configures tsgi as it configures Gunicorn', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const gunicorn = await startGunicorn('env_greeting', ['-c', conf]);
  const tsgi = await startTsgi('env_greeting', ['-c', conf]);
  try {
    for (const server of [gunicorn, tsgi]) {
      const reply = await fetch(`${server.origin}/`);
      assert.equal(await reply.text(), 'set by gunicorn.conf.py\n', server.tail());
    }
    assert.match(commandLine(tsgi.pid), /^tsgi: master \[conf-demo\]/);
    assert.match(tsgi.output, /\[WARNING\] gunicorn\.conf\.py: when_ready will not be called/);
    assert.match(tsgi.output, /\[INFO\] 'worker_tmp_dir' in gunicorn\.conf\.py has no effect: /);
  } finally {
    await Promise.all([gunicorn.kill(), tsgi.kill()]);
  }
});
