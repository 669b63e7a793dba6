// Issue 2's benchmark: tsgi (one worker) serving examples/hello.ts vs a raw node:http hello world, each pinned
// to one core, keep-alive, load from wrk on the other core. Prints medians of the rounds and of per-round ratios.
//   npm run build && node --import tsx bench/node-vs-raw.ts [--rounds 5] [--seconds 5] [--connections 64]

import { parseArgs } from 'node:util';
import {
  freePort,
  type LoadResult,
  load,
  median,
  type Running,
  requireWrk,
  roundRatio,
  shuffled,
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

// Each round starts every server afresh (one process differs from another of the very same server by several
// percent: where its code and heap landed), warms each up, then loads each once in a random order; ratios are
// taken within a round, because on a shared host the machine's speed drifts by tens of percent within seconds
// and a ratio of two neighbouring runs cancels most of that. The servers of a round run at once (an idle one
// costs nothing).
const results = new Map<string, LoadResult[]>(contenders.map((c) => [c.name, []]));
for (let i = 0; i < rounds; i++) {
  const running: Running[] = [];
  try {
    for (const c of contenders) running.push(await c.start(await freePort()));
    for (const server of running) load(server, { ...loadOptions, seconds: 1 }); // warm-up (JIT)
    for (const j of shuffled([...contenders.keys()]))
      results.get(contenders[j].name)!.push(load(running[j], loadOptions));
  } finally {
    for (const server of running) await stop(server);
  }
}

const ratio = (name: string, baseline: string, figure: (r: LoadResult) => number) =>
  roundRatio(results.get(name)!, results.get(baseline)!, figure);
const rate = (r: LoadResult) => r.rate;
// CPU time per request turned into a rate (higher is better, as for req/s).
const cpuRate = (r: LoadResult) => 1 / r.cpuMicros;
const baselines: Array<[string, string]> = [
  ['raw node:http', 'raw'],
  ['raw node:http, string body', 'raw (string)'],
];
const rows = [
  [
    'server',
    'median req/s',
    'rounds',
    ...baselines.map(([, label]) => `vs ${label}`),
    'CPU µs/req',
    ...baselines.map(([, label]) => `CPU vs ${label}`),
  ],
];
for (const [name, r] of results) {
  rows.push([
    name,
    median(r.map(rate)).toFixed(0),
    r.map((x) => x.rate.toFixed(0)).join(' '),
    ...baselines.map(([b]) => ratio(name, b, rate).toFixed(2)),
    median(r.map((x) => x.cpuMicros)).toFixed(2),
    ...baselines.map(([b]) => ratio(name, b, cpuRate).toFixed(2)),
  ]);
}
console.log(
  `hello world, keep-alive, wrk -t1 -c${loadOptions.connections} -d${loadOptions.seconds}s, server on core 0, wrk on core 1`,
);
console.log(table(rows));
console.log(
  'ratios: median over rounds of this server / the baseline in the same round; CPU: CPU time per request of ' +
    "the baseline / this server's (the whole process tree, from /proc)",
);
