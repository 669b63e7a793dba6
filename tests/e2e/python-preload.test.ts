// `tsgi --preload`: the command line of a Gunicorn deployment that preloads. The app is imported once per front
// end, by the zygote; SIGHUP imports the new code (Gunicorn's reload keeps the old); SIGTERM leaves no process
// and no socket behind.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import {
  isAlive,
  pythonWorkerPids,
  skipPython,
  sleep,
  startTsgi,
  waitFor,
} from './support/server-process.js';

const app = (version: string) => `
import os

VERSION = "${version}"
IMPORTED_BY = os.getpid()


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%s %d %d %d" % (VERSION, IMPORTED_BY, os.getpid(), os.getppid())).encode()]
`;

async function answer(
  origin: string,
): Promise<{ version: string; importedBy: number; pid: number; ppid: number }> {
  const r = await fetch(origin);
  assert.equal(r.status, 200);
  const [version, importedBy, pid, ppid] = (await r.text()).split(' ');
  return { version, importedBy: Number(importedBy), pid: Number(pid), ppid: Number(ppid) };
}

test('--preload imports the app once; SIGHUP imports the new code; SIGTERM leaves no process behind', {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-preload-'));
  writeFileSync(join(dir, 'versioned.py'), app('one'));
  const tsgi = await startTsgi('versioned:application', ['--preload', '-w', '2'], { chdir: dir });
  try {
    assert.match(tsgi.output, /Preloaded the app in Python zygote \d+/);
    const first = await answer(tsgi.origin);
    assert.equal(first.version, 'one');
    assert.equal(first.ppid, first.importedBy, 'the worker was forked by the process that imported the app');
    assert.notEqual(first.pid, first.importedBy);
    // Three processes run tsgi_worker: the zygote and its two workers.
    assert.equal(pythonWorkerPids(tsgi).length, 3);
    // The zygote's UNIX socket, from its settings (its last argument).
    const argv = readFileSync(`/proc/${first.importedBy}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const socket = JSON.parse(argv[argv.length - 1]).zygote.path;
    assert.ok(existsSync(socket));

    writeFileSync(join(dir, 'versioned.py'), app('two'));
    tsgi.send('SIGHUP');
    let now = first;
    for (let i = 0; i < 100 && now.version !== 'two'; i++) {
      await sleep(200);
      now = await answer(tsgi.origin);
    }
    assert.equal(now.version, 'two', 'the new code serves');
    assert.notEqual(now.importedBy, first.importedBy, 'a new zygote imported it');
    assert.equal(now.ppid, now.importedBy);
    await waitFor(() => !isAlive(first.importedBy), 10_000, 'the old zygote to exit');
    // Removed by the front end once it has seen the zygote exit: a moment after, not at once.
    await waitFor(() => !existsSync(dirname(socket)), 5_000, "the old zygote's socket folder to be removed");

    const processes = pythonWorkerPids(tsgi);
    assert.equal((await tsgi.signal('SIGTERM', 15_000)).code, 0);
    for (const pid of processes) assert.ok(!isAlive(pid), `${pid} has exited`);
    assert.equal(readFileSync(join(dir, 'versioned.py'), 'utf8'), app('two'));
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a forked worker's output is logged under its own pid: post_fork's, the app's stdout and stderr, a timeout's stacks", {
  skip: skipPython,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-preload-output-'));
  writeFileSync(
    join(dir, 'talking.py'),
    [
      'import os, sys, time',
      'print("imported by %d" % os.getpid())',
      'def application(environ, start_response):',
      '    if environ["PATH_INFO"] == "/hang":',
      '        time.sleep(30)',
      '    print("stdout of %d" % os.getpid())',
      '    sys.stderr.write("stderr of %d\\n" % os.getpid())',
      '    start_response("200 OK", [("Content-Type", "text/plain")])',
      '    return [str(os.getpid()).encode()]',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'gunicorn.conf.py'),
    'import os\ndef post_fork(server, worker):\n    print("post_fork in %d" % os.getpid())\n',
  );
  // Worker output is logged line by line under the worker's pid with --capture-output to an error log file.
  const errorLog = join(dir, 'error.log');
  const tsgi = await startTsgi(
    'talking:application',
    [
      '--preload',
      '-w',
      '2',
      '-t',
      '1',
      '--capture-output',
      '--error-logfile',
      errorLog,
      '-c',
      join(dir, 'gunicorn.conf.py'),
    ],
    { chdir: dir, waitUntilListening: false },
  );
  const logged = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  const inLog = async (pattern: RegExp): Promise<RegExpMatchArray> => {
    await waitFor(() => pattern.test(logged()), 15_000, `${pattern} in the error log`);
    return logged().match(pattern) as RegExpMatchArray;
  };
  try {
    await inLog(/Listening at: /);
    const zygote = Number((await inLog(/\[python (\d+)\] imported by \1/))[1]);
    for (const pid of pythonWorkerPids(tsgi).filter((p) => p !== zygote))
      await inLog(new RegExp(`\\[INFO\\] \\[python ${pid}\\] post_fork in ${pid}\\n`));
    const pid = Number(await (await fetch(tsgi.origin)).text());
    assert.notEqual(pid, zygote);
    await inLog(new RegExp(`\\[INFO\\] \\[python ${pid}\\] stdout of ${pid}\\n`));
    await inLog(new RegExp(`\\[ERROR\\] \\[python ${pid}\\] stderr of ${pid}\\n`));
    // A timeout: the stacks the worker dumps before it is killed are its own lines too.
    assert.equal((await fetch(`${tsgi.origin}/hang`)).status, 504);
    const hung = Number((await inLog(/WORKER TIMEOUT \(pid:(\d+)\)/))[1]);
    await inLog(new RegExp(`\\[python ${hung}\\] +File ".*talking\\.py", line \\d+ in application`));
    assert.doesNotMatch(
      logged(),
      new RegExp(`\\[python ${zygote}\\] (post_fork|stdout|stderr|Current thread)`),
    );
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
