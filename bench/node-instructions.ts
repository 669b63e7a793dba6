// Issue 2's benchmark, counted instead of timed: machine instructions per request (valgrind's callgrind) of
// tsgi (one worker) serving examples/hello.ts and of the raw node:http hello worlds, at a steady state. A shared
// host's speed drifts by tens of percent, which a rate ratio has to average away; an instruction count moves far
// less (±1% for the raw servers, ±3% for tsgi, nearly all of it garbage collection, whose timing valgrind's
// slowness changes), so this is the figure to judge a change to the hot path by, over two runs or more. It does
// not see cache misses, so it is not a rate.
//   npm run build && node --import tsx bench/node-instructions.ts [--requests 40000]
// Needs valgrind (Debian package). Takes a few minutes: everything runs about 50× slower under valgrind.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, table, waitForPort } from './lib.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '40000' } } });
const root = new URL('..', import.meta.url).pathname;
// Steady state: the count between a short run and a long one, so start-up and JIT warm-up cancel out.
const short = 12_000;
const long = Math.max(short * 2, Number(values.requests));
if (spawnSync('valgrind', ['--version']).error) {
  console.error('bench: valgrind is not installed (apt-get install valgrind)');
  process.exit(2);
}

const contenders: Array<{ name: string; argv: (port: number) => string[] }> = [
  { name: 'raw node:http', argv: (port) => [`${root}bench/servers/raw-node-hello.mjs`, String(port)] },
  {
    name: 'raw node:http, string body',
    argv: (port) => [`${root}bench/servers/raw-node-hello.mjs`, String(port), 'string'],
  },
  {
    name: 'tsgi -w 1',
    argv: (port) => [`${root}dist/cli.js`, '-w', '1', '-b', `127.0.0.1:${port}`, `${root}examples/hello.ts`],
  },
];

/** Instructions of the busiest process (the one serving: tsgi's worker, not its arbiter) serving `requests`. */
async function instructions(argv: (port: number) => string[], requests: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-callgrind-'));
  const port = await freePort();
  const server = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--trace-children=yes',
      '--smc-check=all-non-file', // V8 writes machine code at run time
      `--callgrind-out-file=${dir}/out.%p`,
      process.execPath,
      ...argv(port),
    ],
    { detached: true, stdio: 'ignore' },
  );
  try {
    await waitForPort(port, 180_000);
    const client = spawnSync(
      process.execPath,
      [`${root}bench/clients/keep-alive.mjs`, String(port), String(requests)],
      {
        encoding: 'utf8',
      },
    );
    if (client.status !== 0) throw new Error(`the client failed: ${client.stderr}`);
  } finally {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    process.kill(-server.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-server.pid!, 'SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
  let most = 0;
  for (const file of readdirSync(dir)) {
    const summary = /^summary: (\d+)$/m.exec(readFileSync(join(dir, file), 'utf8'));
    if (summary) most = Math.max(most, Number(summary[1]));
  }
  rmSync(dir, { recursive: true, force: true });
  if (most === 0) throw new Error('callgrind wrote no summary');
  return most;
}

const perRequest = new Map<string, number>();
for (const c of contenders) {
  // The two runs at once, one per core.
  const [a, b] = await Promise.all([instructions(c.argv, short), instructions(c.argv, long)]);
  perRequest.set(c.name, (b - a) / (long - short));
}
const rows = [['server', 'instructions/request', 'vs raw', 'vs raw (string)']];
for (const [name, n] of perRequest) {
  rows.push([
    name,
    n.toFixed(0),
    (perRequest.get('raw node:http')! / n).toFixed(3),
    (perRequest.get('raw node:http, string body')! / n).toFixed(3),
  ]);
}
console.log(
  `hello world, keep-alive, 16 connections, instructions per request between ${short} and ${long} requests`,
);
console.log(table(rows));
console.log(
  'ratios: the baseline’s instructions per request / this server’s (higher is better, as for req/s)',
);
