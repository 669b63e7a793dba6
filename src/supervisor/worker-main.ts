// The entry point of a worker process (node:cluster runs this file). Its settings arrive as JSON in the
// environment, which is cleaned before the app sees it.

import { type SupervisorOptions, WORKER_OPTIONS_ENV } from './options.js';
import { runWorker } from './worker.js';

const json = process.env[WORKER_OPTIONS_ENV];
delete process.env[WORKER_OPTIONS_ENV];
if (!json) {
  process.stderr.write('tsgi: worker-main is started by the tsgi arbiter, not directly; run `tsgi APP`\n');
  process.exit(1);
}
await runWorker(JSON.parse(json) as SupervisorOptions);
