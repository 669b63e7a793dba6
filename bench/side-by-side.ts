// Two builds of tsgi side by side: both serve the same app at once, pinned to the server core, and alternating
// one-second wrk loads measure them in turn (the order swapped every pair). Prints the median of the per-pair
// rate ratios B/A. This machine's rates drift by ±20% between neighbouring seconds, so sequential runs cannot
// compare two builds; pairs taken a second apart can: two identical builds measure 1.00 ± ~0.02 this way.
//   node --import tsx bench/side-by-side.ts --a DIR [--b DIR] [--target flask_hello:app] [--pairs 24] [--close]
// DIR: a checkout with dist/ built and python/ in place, e.g. `git worktree add /tmp/base HEAD~1`, then in it
// `ln -s "$PWD/node_modules" /tmp/base/ && (cd /tmp/base && npx tsc -p tsconfig.json)`. --b defaults to this
// checkout. Targets are resolved in bench/apps (a Python module) or given as a path (a TypeScript app).

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  freePort,
  type LoadResult,
  load,
  median,
  ROOT,
  type Running,
  requireWrk,
  startPinned,
  stop,
  table,
  tsgiPythonArgv,
} from './lib.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    target: { type: 'string', default: 'flask_hello:app' },
    pairs: { type: 'string', default: '24' },
    connections: { type: 'string', default: '32' },
    close: { type: 'boolean', default: false },
  },
});
if (!values.a) {
  console.error('bench: --a DIR is required (a checkout with dist/ built)');
  process.exit(2);
}
const builds = { A: values.a, B: values.b ?? ROOT };
for (const dir of Object.values(builds)) {
  if (!existsSync(`${dir}/dist/cli.js`)) {
    console.error(`bench: ${dir}/dist/cli.js is missing: build that checkout first`);
    process.exit(2);
  }
}
requireWrk();
const pairs = Number(values.pairs);
const connections = Number(values.connections);
const close = values.close;

async function serve(name: string, dir: string): Promise<Running> {
  const port = await freePort();
  return startPinned(name, port, tsgiPythonArgv(port, values.target, { build: dir }), {
    PYTHONDONTWRITEBYTECODE: '1',
  });
}

const a = await serve('A', builds.A);
const b = await serve('B', builds.B);
const results: { A: LoadResult[]; B: LoadResult[] } = { A: [], B: [] };
const ratios: number[] = [];
try {
  for (const server of [a, b]) load(server, { seconds: 3, connections, close });
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [a, b] : [b, a];
    const got = new Map(order.map((server) => [server, load(server, { seconds: 1, connections, close })]));
    results.A.push(got.get(a)!);
    results.B.push(got.get(b)!);
    ratios.push(got.get(b)!.rate / got.get(a)!.rate);
  }
} finally {
  await stop(a);
  await stop(b);
}

const sorted = [...ratios].sort((x, y) => x - y);
console.log(
  `${values.target}, ${close ? 'Connection: close' : 'keep-alive'}, wrk -t1 -c${connections}, ${pairs} pairs of 1 s loads`,
);
console.log(
  table([
    ['build', 'dir', 'median req/s', 'median CPU µs/req'],
    ...(['A', 'B'] as const).map((k) => [
      k,
      builds[k],
      median(results[k].map((r) => r.rate)).toFixed(0),
      median(results[k].map((r) => r.cpuMicros)).toFixed(1),
    ]),
  ]),
);
console.log(
  `B/A: median of per-pair ratios ${median(ratios).toFixed(3)} (min ${sorted[0].toFixed(3)}, max ${sorted[sorted.length - 1].toFixed(3)})`,
);
