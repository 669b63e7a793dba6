// Memory of the Python processes of tsgi and Gunicorn, each with and without --preload, serving Flask's hello
// world with several workers: the sum of their Pss (shared pages split among the processes that map them) and of
// their RSS (shared pages counted in each). Node's processes are left out: this is about what --preload shares.
//
//   node --import tsx bench/preload-memory.ts [--workers 4] [--requests 200]

import { parseArgs } from 'node:util';
import {
  freePort,
  gunicornArgv,
  type Running,
  setSizesKiB,
  startPinned,
  stop,
  table,
  tsgiPythonArgv,
} from './lib.js';

const { values } = parseArgs({
  options: { workers: { type: 'string', default: '4' }, requests: { type: 'string', default: '200' } },
});
const workers = Number(values.workers);
const requests = Number(values.requests);
const target = 'flask_hello:app';

interface Setup {
  name: string;
  argv: (port: number) => string[];
}
const setups: Setup[] = [
  { name: 'tsgi', argv: (port) => tsgiPythonArgv(port, target, { workers }) },
  { name: 'tsgi --preload', argv: (port) => tsgiPythonArgv(port, target, { workers, extra: ['--preload'] }) },
  { name: 'gunicorn', argv: (port) => gunicornArgv(port, target, { workers }) },
  {
    name: 'gunicorn --preload',
    argv: (port) => gunicornArgv(port, target, { workers, extra: ['--preload'] }),
  },
];

const python = (name: string) => name.startsWith('python') || name === 'gunicorn';
const mib = (kib: number) => (kib / 1024).toFixed(0);
const rows = [['server', 'Python processes', 'Pss MiB', 'RSS MiB']];
for (const setup of setups) {
  const port = await freePort();
  let server: Running | undefined;
  try {
    server = await startPinned(setup.name, port, setup.argv(port));
    for (let i = 0; i < requests; i++) await (await fetch(`http://127.0.0.1:${port}/`)).text();
    await new Promise((r) => setTimeout(r, 500));
    const sizes = setSizesKiB(server.child.pid!, python);
    rows.push([setup.name, String(sizes.processes), mib(sizes.pss), mib(sizes.rss)]);
  } finally {
    if (server) await stop(server);
  }
}
console.log(`Flask hello world, -w ${workers}, after ${requests} requests`);
console.log(table(rows));
