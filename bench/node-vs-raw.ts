// Issue 2's benchmark: tsgi (one worker) serving examples/hello.ts vs a raw node:http hello world, each pinned
// to one core, keep-alive, load from wrk on the other core. Prints medians of alternating rounds and the ratio.
//   npm run build && node --import tsx bench/node-vs-raw.ts [--rounds 5] [--seconds 5] [--connections 64]

import { parseArgs } from 'node:util';
import { freePort, median, type Running, requireWrk, startPinned, stop, table, wrk } from './lib.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
  },
});
const rounds = Number(values.rounds);
const load = { seconds: Number(values.seconds), connections: Number(values.connections) };
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
const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
const running: Running[] = [];
try {
  for (const c of contenders) running.push(await c.start(await freePort()));
  for (const server of running) wrk(server.port, { ...load, seconds: 1 }); // warm-up (JIT)
  for (let i = 0; i < rounds; i++) {
    for (const [j, c] of contenders.entries()) rates.get(c.name)!.push(wrk(running[j].port, load));
  }
} finally {
  for (const server of running) await stop(server);
}
const raw = median(rates.get('raw node:http')!);
const rawString = median(rates.get('raw node:http, string body')!);
const rows = [['server', 'median req/s', 'rounds', 'vs raw node:http', 'vs raw, string body']];
for (const [name, r] of rates) {
  const m = median(r);
  rows.push([
    name,
    m.toFixed(0),
    r.map((x) => x.toFixed(0)).join(' '),
    (m / raw).toFixed(2),
    (m / rawString).toFixed(2),
  ]);
}
console.log(
  `hello world, keep-alive, wrk -t1 -c${load.connections} -d${load.seconds}s, server on core 0, wrk on core 1`,
);
console.log(table(rows));
