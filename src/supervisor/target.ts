// The routing rule: a target whose file part ends in .ts/.mts/.cts/.js/.mjs/.cjs, or contains a '/', is a script
// (served by Node workers); anything else is a Python module (served by a Python pool).

import { dirname, resolve } from 'node:path';
import { parseScriptTarget } from '../runtimes/node/load-app.js';

const SCRIPT = /\.(?:[cm]?ts|tsx|[cm]?js)$/;

export type TargetKind = 'script' | 'python';

export function targetKind(target: string): TargetKind {
  // Judge the part before the first ':' only: a Python factory's arguments may hold '/' or '.js'.
  const head = target.split(':', 1)[0];
  return SCRIPT.test(head) || head.includes('/') ? 'script' : 'python';
}

/** The directory --reload watches: the script's own directory, or the working directory for a Python module. */
export function watchRoot(target: string, cwd: string): string {
  return targetKind(target) === 'script' ? dirname(resolve(cwd, parseScriptTarget(target).file)) : cwd;
}
