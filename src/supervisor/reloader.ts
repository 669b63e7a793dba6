// --reload: watch the app's directory tree and report a changed source file, debounced, so the arbiter can
// restart the workers. Recursive fs.watch (inotify on Linux, one watch per directory) skips dependency trees.

import { type FSWatcher, watch } from 'node:fs';
import { extname, join } from 'node:path';

const WATCHED = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.py', '.json']);
const SKIPPED = new Set(['node_modules', '.git', '__pycache__', 'dist', '.venv']);
export const RELOAD_DEBOUNCE_MS = 100;

export function isWatchedFile(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  return WATCHED.has(extname(relativePath)) && !parts.some((part) => SKIPPED.has(part));
}

export interface Reloader {
  close(): void;
}

/** Calls `onChange(path)` once per burst of changes (the last file changed in it). */
export function watchForChanges(root: string, onChange: (path: string) => void): Reloader {
  let timer: NodeJS.Timeout | undefined;
  let changed = '';
  const watcher: FSWatcher = watch(root, { recursive: true }, (_event, filename) => {
    if (!filename || !isWatchedFile(filename)) return;
    changed = join(root, filename);
    clearTimeout(timer);
    timer = setTimeout(() => onChange(changed), RELOAD_DEBOUNCE_MS);
  });
  watcher.unref();
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
