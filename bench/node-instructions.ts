// Issue 2's benchmark, counted instead of timed: machine instructions per request (valgrind's callgrind) of
// tsgi (one worker) serving examples/hello.ts and of the raw node:http hello worlds, at a steady state: after a
// warm-up the counters are zeroed (callgrind_control -z), a fixed number of keep-alive requests is served, and
// the counters are dumped (-d). A shared host's speed drifts by tens of percent, which a rate ratio has to
// average away; an instruction count moves far less (±1–3% between runs, mostly garbage collection, whose timing
// valgrind's slowness changes), so this is the figure to judge a change to the hot path by, over two runs or
// more. It does not see cache misses, so it is not a rate; and work done per unit of time (timers, idle-time
// GC) counts per request at valgrind's pace, the same for every contender.
//   npm run build && node --import tsx bench/node-instructions.ts [--requests 8000]
// Needs valgrind (Debian package). Takes a few minutes: everything runs about 50× slower under valgrind.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, table, waitForPort } from './lib.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '8000' } } });
const root = new URL('..', import.meta.url).pathname;
const warmUp = 4_000;
const requests = Number(values.requests);
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

/** Instructions per request of the busiest process (the one serving: tsgi's worker, not its arbiter). */
async function instructions(argv: (port: number) => string[]): Promise<number> {
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
  const load = (n: number) => {
    const client = spawnSync(
      process.execPath,
      [`${root}bench/clients/keep-alive.mjs`, String(port), String(n)],
      {
        encoding: 'utf8',
      },
    );
    if (client.status !== 0) throw new Error(`the client failed: ${client.stderr}`);
  };
  // Every callgrind process of this user: the contenders run one at a time.
  const control = (flag: string) => spawnSync('callgrind_control', [flag], { stdio: 'ignore' });
  try {
    await waitForPort(port, 180_000);
    load(warmUp); // start-up and JIT warm-up, then the steady state alone:
    control('-z');
    load(requests);
    control('-d');
  } finally {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    process.kill(-server.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-server.pid!, 'SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
  let most = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.1'))) {
    const summary = /^summary: (\d+)$/m.exec(readFileSync(join(dir, file), 'utf8'));
    if (summary) most = Math.max(most, Number(summary[1]));
  }
  rmSync(dir, { recursive: true, force: true });
  if (most === 0) throw new Error('callgrind wrote no dump');
  return most / requests;
}

const perRequest = new Map<string, number>();
for (const c of contenders) perRequest.set(c.name, await instructions(c.argv));
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
  `hello world, keep-alive, 16 connections, instructions per request over ${requests} requests after ${warmUp}`,
);
console.log(table(rows));
console.log(
  'ratios: the baseline’s instructions per request / this server’s (higher is better, as for req/s)',
);
