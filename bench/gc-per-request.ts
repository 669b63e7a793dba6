// What each request costs the serving Node process's garbage collector: bytes allocated, bytes promoted to the
// old generation, and the collector's time (the main thread's pauses, its helper threads' work), per request,
// from V8's own account (--trace-gc-nvp) over one wrk run after a warm-up. Side by side with a raw node:http
// hello world, keep-alive and `Connection: close`. A request whose objects are promoted although they die young
// (something in the old generation still points at them) shows here long before it shows in a rate.
//   npm run build && node --import tsx bench/gc-per-request.ts [--seconds 4] [--only tsgi]
//   (the Python rows need `bash scripts/setup-python.sh`)

import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, load, type Running, requireWrk, startPinned, stop, table } from './lib.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    only: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
requireWrk();

const root = new URL('..', import.meta.url).pathname;
const venvPython = `${root}.venv/bin/python`;
const appDir = `${root}bench/apps`;
const tsgi = (port: number, ...rest: string[]) => [
  process.execPath,
  '--trace-gc-nvp',
  `${root}dist/cli.js`,
  '--workers',
  '1',
  '--bind',
  `127.0.0.1:${port}`,
  '--log-level',
  'warning',
  ...rest,
];

interface Contender {
  name: string;
  argv: (port: number) => string[];
  cwd?: string;
}
const contenders: Contender[] = [
  {
    name: 'raw node:http',
    argv: (port) => [
      process.execPath,
      '--trace-gc-nvp',
      `${root}bench/servers/raw-node-hello.mjs`,
      String(port),
      'string',
    ],
  },
  { name: 'tsgi, TypeScript hello', argv: (port) => tsgi(port, `${root}examples/hello.ts`) },
];
if (existsSync(venvPython)) {
  contenders.push(
    {
      name: 'tsgi, Python hello (front end)',
      argv: (port) => tsgi(port, '--python', venvPython, 'wsgi_hello:application'),
      cwd: appDir,
    },
    {
      name: 'tsgi, Flask hello (front end)',
      argv: (port) => tsgi(port, '--python', venvPython, 'flask_hello:app'),
      cwd: appDir,
    },
  );
} else {
  console.error(
    'bench: .venv is missing, so the Python rows are left out; `bash scripts/setup-python.sh` adds them',
  );
}

/** One V8 --trace-gc-nvp line's fields (`pause=4.4 gc=s allocated=…`), and the pid in its `[pid:isolate]` prefix. */
function parseLine(line: string): { pid: string; fields: Map<string, string> } | undefined {
  const prefix = /^\[(\d+):/.exec(line);
  if (!prefix || !line.includes(' gc=')) return undefined;
  const fields = new Map<string, string>();
  for (const pair of line.split(' ')) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return { pid: prefix[1], fields };
}

interface GcCost {
  allocated: number;
  promoted: number;
  pauseMs: number;
  backgroundMs: number;
  collections: number;
}

/** The collections of the process that did the most allocating (the one serving: tsgi's worker or front end). */
function gcCost(lines: string[]): GcCost {
  const byPid = new Map<string, GcCost>();
  for (const line of lines) {
    const parsed = parseLine(line);
    if (!parsed) continue;
    const f = parsed.fields;
    const cost = byPid.get(parsed.pid) ?? {
      allocated: 0,
      promoted: 0,
      pauseMs: 0,
      backgroundMs: 0,
      collections: 0,
    };
    const num = (key: string) => Number(f.get(key) ?? 0);
    cost.allocated += num('allocated');
    cost.promoted += num('promoted');
    cost.pauseMs += num('pause');
    cost.backgroundMs += num('background.scavenge.parallel');
    cost.collections++;
    byPid.set(parsed.pid, cost);
  }
  let busiest: GcCost = { allocated: 0, promoted: 0, pauseMs: 0, backgroundMs: 0, collections: 0 };
  for (const cost of byPid.values()) if (cost.allocated > busiest.allocated) busiest = cost;
  return busiest;
}

const rows = [
  ['server', 'connection', 'allocated B/req', 'promoted B/req', 'GC pause µs/req', 'GC helpers µs/req'],
];
for (const contender of contenders) {
  if (values.only && !contender.name.startsWith(values.only)) continue;
  for (const close of [false, true]) {
    const port = await freePort();
    const traceFile = join(tmpdir(), `tsgi-bench-gc-${port}.txt`);
    let server: Running | undefined;
    try {
      server = await startPinned(contender.name, port, contender.argv(port), {}, contender.cwd, traceFile);
      load(server, { seconds: 2, connections, close }); // warm-up: the JIT and the heap reach their steady state
      const skip = readFileSync(traceFile, 'utf8').split('\n').length - 1;
      const run = load(server, { seconds, connections, close });
      const cost = gcCost(readFileSync(traceFile, 'utf8').split('\n').slice(skip));
      const per = (value: number, digits: number) => (value / run.requests).toFixed(digits);
      rows.push([
        contender.name,
        close ? 'close' : 'keep-alive',
        per(cost.allocated, 0),
        per(cost.promoted, 0),
        per(cost.pauseMs * 1000, 2),
        per(cost.backgroundMs * 1000, 2),
      ]);
    } finally {
      if (server) await stop(server);
    }
  }
}
console.log(
  `wrk -t1 -c${connections} -d${seconds}s after a 2 s warm-up; V8's --trace-gc-nvp account of the serving process`,
);
console.log(table(rows));
