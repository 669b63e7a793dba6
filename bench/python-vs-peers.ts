// Issue 5's benchmark: Python WSGI apps under tsgi vs Gunicorn (sync worker), Granian (WSGI interface), Waitress
// and uWSGI when installed — one worker each, the server side pinned to one core and wrk to the other,
// keep-alive and `Connection: close`. Prints median rates, ratios to Gunicorn and Granian (median over rounds of
// the ratio within a round), CPU time per request and peak RSS.
//   npm run build && bash scripts/setup-python.sh && node --import tsx bench/python-vs-peers.ts [--rounds 3] [--seconds 5]
//   [--only tsgi,gunicorn] (servers whose names start so) [--apps flask,plain] (apps likewise)
//   [--connection keep-alive|close]

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  APP_DIR,
  freePort,
  gunicornArgv,
  type LoadResult,
  load,
  median,
  peakRssKiB,
  privateKiB,
  type Running,
  requireWrk,
  roundRatio,
  shuffled,
  startPinned,
  stop,
  table,
  tsgiPythonArgv,
  VENV_BIN,
  VENV_PYTHON,
} from './lib.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    only: { type: 'string' },
    apps: { type: 'string' },
    connection: { type: 'string', default: 'keep-alive,close' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
requireWrk();

if (!existsSync(VENV_PYTHON)) {
  console.error('bench: .venv is missing; run `bash scripts/setup-python.sh` first');
  process.exit(2);
}
const apps = [
  { name: 'plain WSGI', module: 'wsgi_hello', callable: 'application' },
  { name: 'Flask', module: 'flask_hello', callable: 'app' },
].filter(
  (a) => !values.apps || values.apps.split(',').some((o) => a.name.toLowerCase().startsWith(o.toLowerCase())),
);

interface Peer {
  name: string;
  argv: (port: number, target: string) => string[];
}
const peers: Peer[] = [
  { name: 'tsgi', argv: (port, target) => tsgiPythonArgv(port, target) },
  {
    name: 'gunicorn (sync)',
    argv: (port, target) => gunicornArgv(port, target),
  },
  {
    name: 'granian (wsgi)',
    argv: (port, target) => [
      `${VENV_BIN}/granian`,
      '--interface',
      'wsgi',
      '--workers',
      '1',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--working-dir',
      APP_DIR,
      '--log-level',
      'warning',
      target,
    ],
  },
  {
    name: 'waitress',
    argv: (port, target) => [`${VENV_BIN}/waitress-serve`, `--listen=127.0.0.1:${port}`, target],
  },
];
const uwsgi = spawnSync('uwsgi', ['--version']);
if (!uwsgi.error && uwsgi.status === 0) {
  peers.push({
    name: 'uwsgi',
    argv: (port, target) => [
      'uwsgi',
      '--http-socket',
      `127.0.0.1:${port}`,
      '--processes',
      '1',
      '--chdir',
      APP_DIR,
      '--module',
      target,
      '--disable-logging',
    ],
  });
}
const selected = values.only
  ? peers.filter((p) => values.only!.split(',').some((o) => p.name.startsWith(o)))
  : peers;

console.log(
  `wrk -t1 -c${connections} -d${seconds}s, ${rounds} rounds (median), servers on core 0 with one worker, wrk on core 1`,
);
const rss = new Map<string, number>();
const unshared = new Map<string, number>();
for (const app of apps) {
  const target = `${app.module}:${app.callable}`;
  for (const close of [false, true].filter((c) => values.connection.includes(c ? 'close' : 'keep-alive'))) {
    const results = new Map<string, LoadResult[]>(selected.map((p) => [p.name, []]));
    const running: Running[] = [];
    try {
      for (const peer of selected) {
        const port = await freePort();
        running.push(
          await startPinned(
            peer.name,
            port,
            peer.argv(port, target),
            { PYTHONDONTWRITEBYTECODE: '1' },
            APP_DIR,
          ),
        );
      }
      for (const server of running) load(server, { seconds: 1, connections, close });
      // Each round loads every server once in a fresh random order; ratios are taken within a round.
      for (let i = 0; i < rounds; i++) {
        for (const server of shuffled([...running]))
          results.get(server.name)!.push(load(server, { seconds, connections, close }));
      }
      for (const server of running) {
        const key = `${server.name} (${app.name})`;
        rss.set(key, Math.max(rss.get(key) ?? 0, peakRssKiB(server.child.pid!)));
        unshared.set(key, Math.max(unshared.get(key) ?? 0, privateKiB(server.child.pid!)));
      }
    } finally {
      for (const server of running) await stop(server);
    }
    const rate = (r: LoadResult) => r.rate;
    const versus = (name: string, baseline: string) =>
      results.has(baseline) ? roundRatio(results.get(name)!, results.get(baseline)!, rate).toFixed(2) : '-';
    const rows = [['server', 'median req/s', 'vs gunicorn', 'vs granian', 'CPU µs/req', 'rounds']];
    for (const [name, r] of results) {
      rows.push([
        name,
        median(r.map(rate)).toFixed(0),
        versus(name, 'gunicorn (sync)'),
        versus(name, 'granian (wsgi)'),
        median(r.map((x) => x.cpuMicros)).toFixed(1),
        r.map((x) => x.rate.toFixed(0)).join(' '),
      ]);
    }
    console.log(`\n${app.name}, ${close ? 'Connection: close' : 'keep-alive'}`);
    console.log(table(rows));
  }
}
console.log(
  '\nmemory of each server and all its processes (MiB): peak RSS (counts shared binaries once per process) and ' +
    'private memory after the runs (counts them not at all)',
);
const mib = (kib: number | undefined) => ((kib ?? 0) / 1024).toFixed(1);
console.log(
  table([
    ['server', 'peak RSS MiB', 'private MiB'],
    ...[...rss].map(([k, v]) => [k, mib(v), mib(unshared.get(k))]),
  ]),
);
