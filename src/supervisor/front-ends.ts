// A Python app's Node front ends: how many, and how the --workers Python processes are shared among them. Pure.
//
// One front end does all the HTTP for its Python processes, at a cost per request of about a quarter of a Flask
// request's (docs/benchmarks.md): past a few Python processes, one front end can be the bottleneck on a machine
// with the cores to run them. --front-ends N gives N (the default is 1: a connection stays with the front end that
// accepted it, and a proxy's few pooled connections could leave another front end's processes idle); 0 gives one
// per FRONT_END_SHARE processes, at most one per core. Each front end owns a pool of its share, and they all accept
// on the same listening sockets, as a Node app's workers do.

/** Python processes per front end with --front-ends 0. */
export const FRONT_END_SHARE = 4;

/** Which front end a process is, of how many: set by the arbiter in each front end's options. */
export interface FrontEndSlot {
  readonly index: number;
  readonly count: number;
}

/**
 * The number of front ends for `workers` Python processes: `requested` (--front-ends) when it is not 0, else one
 * per FRONT_END_SHARE processes up to `cores`; never more than there are processes (each owns at least one).
 */
export function frontEndCount(workers: number, requested: number, cores: number): number {
  const wanted = requested > 0 ? requested : Math.min(Math.ceil(workers / FRONT_END_SHARE), cores);
  return Math.max(1, Math.min(wanted, workers));
}

/** The Python processes front end `slot` owns: `workers` shared as evenly as can be, the first ones taking the rest. */
export function poolShare(workers: number, slot: FrontEndSlot | undefined): number {
  if (slot === undefined) return workers;
  return Math.floor(workers / slot.count) + (slot.index < workers % slot.count ? 1 : 0);
}
