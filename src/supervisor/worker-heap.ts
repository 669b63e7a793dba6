// V8 flags for the worker process of a Node (TypeScript/JavaScript) app. A worker allocates per request and keeps
// almost nothing, so its young generation's size decides how often it is scavenged, and each scavenge scans the
// same roots (the loaded modules) whatever it frees. Doubling the largest semi-space from V8's 16 MiB to 32 MiB
// halves the scavenges: -6 to -8% instructions per hello-world request under callgrind, with peak RSS under
// keep-alive load within 2 MiB (docs/benchmarks.md). Python targets do not use it: their front end gained nothing
// measurable and peaked ~25 MiB higher under `Connection: close` load. An operator's own --max-semi-space-size
// (on the command line or in NODE_OPTIONS) wins.

export const WORKER_SEMI_SPACE_MIB = 32;

const SEMI_SPACE_FLAG = /(^|\s)--max-semi-space-size(=|\s|$)/;

/** The execArgv for a worker: the main process's own, plus the young-generation size unless one is set. */
export function workerExecArgv(execArgv: readonly string[], nodeOptions = ''): string[] {
  if (execArgv.some((arg) => SEMI_SPACE_FLAG.test(arg)) || SEMI_SPACE_FLAG.test(nodeOptions)) {
    return [...execArgv];
  }
  return [...execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MIB}`];
}
