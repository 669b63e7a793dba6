// --reload: watch the app's directory tree and report a changed source file, debounced, so the arbiter can
// restart the workers. Recursive fs.watch (inotify on Linux, one watch per directory) skips dependency trees.

import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

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

/**
 * Calls `onChange(path)` once per burst of changes (the last file changed in it): source files under `root`, and
 * each of `extraFiles` (--reload-extra-file: templates, settings files… of any name, anywhere). An extra file is
 * watched through its directory, so an editor that saves by replacing the file is still seen. A directory that
 * cannot be watched (it does not exist) is reported to `onWatchError` and skipped.
 */
export function watchForChanges(
  root: string,
  onChange: (path: string) => void,
  extraFiles: readonly string[] = [],
  onWatchError: (path: string, error: Error) => void = () => {},
): Reloader {
  let timer: NodeJS.Timeout | undefined;
  let changed = '';
  const changedNow = (path: string) => {
    changed = path;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(changed), RELOAD_DEBOUNCE_MS);
  };
  const watchers: FSWatcher[] = [
    watch(root, { recursive: true }, (_event, filename) => {
      if (filename && isWatchedFile(filename)) changedNow(join(root, filename));
    }),
  ];
  const byDirectory = new Map<string, Set<string>>();
  for (const file of extraFiles.map((f) => resolve(root, f))) {
    const names = byDirectory.get(dirname(file)) ?? new Set<string>();
    byDirectory.set(dirname(file), names.add(basename(file)));
  }
  for (const [directory, names] of byDirectory) {
    try {
      watchers.push(
        watch(directory, (_event, filename) => {
          if (filename && names.has(filename)) changedNow(join(directory, filename));
        }),
      );
    } catch (error) {
      onWatchError(directory, error as Error);
    }
  }
  for (const watcher of watchers) watcher.unref();
  return {
    close: () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
