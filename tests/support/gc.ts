// What a workload leaves in V8's old generation: the garbage collector's own view, for tests of memory behaviour
// (what is retained, and for how long), never of speed.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

/** A full collection: what is unreachable is freed, whatever its generation. */
export function collectGarbage(): void {
  gc();
}

function oldSpaceUsed(): number {
  const old = getHeapSpaceStatistics().find((space) => space.space_name === 'old_space');
  return old?.space_used_size ?? 0;
}

/**
 * Bytes promoted to the old generation while `work` runs with only young-generation collections (scavenges)
 * between its steps, as a busy server's heap sees it. An object dead by then is promoted only if something in
 * the old generation, live or dead, still points at it: what the scavenger takes for a root.
 */
export function promotedBytes(steps: number, work: (step: number) => void): number {
  gc();
  gc();
  const before = oldSpaceUsed();
  for (let step = 0; step < steps; step++) {
    work(step);
    if (step % 2000 === 1999) gc({ type: 'minor' });
  }
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  return oldSpaceUsed() - before;
}
