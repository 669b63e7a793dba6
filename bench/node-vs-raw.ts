// Issue 2's benchmark: tsgi (one worker) serving examples/hello.ts vs a raw node:http hello world, each pinned
// to one core, keep-alive, load from wrk on the other core. Prints medians of alternating rounds and the ratio.
//   npm run build && node --import tsx bench/node-vs-raw.ts [--rounds 5] [--seconds 5] [--connections 64]

import { parseArgs } from 'node:util';
import {
  freePort,
  type LoadResult,
  load,
  median,
  type Running,
  requireWrk,
  startPinned,
  stop,
  table,
} from './lib.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
  },
});
const rounds = Number(values.rounds);
const loadOptions = { seconds: Number(values.seconds), connections: Number(values.connections) };
requireWrk();

const root = new URL('..', import.meta.url).pathname;
const contenders: Array<{ name: string; start: (port: number) => Promise<Running> }> = [
  {
    name: 'raw node:http',
    start: (port) =>
      startPinned('raw', port, [process.execPath, `${root}bench/servers/raw-node-hello.mjs`, String(port)]),
  },
  {
    name: 'raw node:http, string body',
    start: (port) =>
      startPinned('raw-string', port, [
        process.execPath,
        `${root}bench/servers/raw-node-hello.mjs`,
        String(port),
        'string',
      ]),
  },
  {
    name: 'tsgi -w 1',
    start: (port) =>
      startPinned('tsgi', port, [
        process.execPath,
        `${root}dist/cli.js`,
        '-w',
        '1',
        '-b',
        `127.0.0.1:${port}`,
        `${root}examples/hello.ts`,
      ]),
  },
];

// All servers run at once (an idle one costs nothing) and rounds alternate, so drift hits each alike.
const results = new Map<string, LoadResult[]>(contenders.map((c) => [c.name, []]));
const running: Running[] = [];
try {
  for (const c of contenders) running.push(await c.start(await freePort()));
  for (const server of running) load(server, { ...loadOptions, seconds: 1 }); // warm-up (JIT)
  for (let i = 0; i < rounds; i++) {
    for (const [j, c] of contenders.entries()) results.get(c.name)!.push(load(running[j], loadOptions));
  }
} finally {
  for (const server of running) await stop(server);
}
const rateOf = (name: string) => median(results.get(name)!.map((r) => r.rate));
const cpuOf = (name: string) => median(results.get(name)!.map((r) => r.cpuMicros));
const baselines = ['raw node:http', 'raw node:http, string body'];
const rows = [
  [
    'server',
    'median req/s',
    'rounds',
    ...baselines.map((b) => `vs ${b.replace('node:http', '')}`),
    'CPU µs/req',
    ...baselines.map((b) => `CPU vs ${b.replace('node:http', '')}`),
  ],
];
for (const [name, r] of results) {
  rows.push([
    name,
    rateOf(name).toFixed(0),
    r.map((x) => x.rate.toFixed(0)).join(' '),
    ...baselines.map((b) => (rateOf(name) / rateOf(b)).toFixed(2)),
    cpuOf(name).toFixed(2),
    // As a rate ratio: the baseline's CPU per request over this server's (higher is better, as for req/s).
    ...baselines.map((b) => (cpuOf(b) / cpuOf(name)).toFixed(2)),
  ]);
}
console.log(
  `hello world, keep-alive, wrk -t1 -c${loadOptions.connections} -d${loadOptions.seconds}s, server on core 0, wrk on core 1`,
);
console.log(table(rows));
console.log("CPU ratios: baseline CPU time per request / this server's (its whole process tree, from /proc)");
