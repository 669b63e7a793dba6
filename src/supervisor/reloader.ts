// --reload: watch the app's directory tree and report a changed source file, debounced, so the arbiter can
// restart the workers. One watcher per directory (inotify on Linux), dependency trees and caches skipped: a watch on
// the directory sees a file however it is saved, in place or by renaming a new file over it (sed -i, many editors),
// where Node 20's recursive fs.watch on Linux follows the file itself and loses it at its first such save.

import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';

const WATCHED = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.py', '.json']);
const SKIPPED = new Set(['node_modules', '.git', '__pycache__', 'dist', '.venv']);
export const RELOAD_DEBOUNCE_MS = 100;

export function isWatchedFile(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  return WATCHED.has(extname(relativePath)) && !parts.some((part) => SKIPPED.has(part));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
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
  const watchers: FSWatcher[] = [];
  const watchedDirectories = new Set<string>();
  /** `directory` and the directories under it, each watched for its own entries (new ones are added as they come). */
  const watchTree = (directory: string): void => {
    if (watchedDirectories.has(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, (_event, filename) => {
        if (!filename) return;
        const path = join(directory, filename);
        if (isWatchedFile(relative(root, path))) changedNow(path);
        else if (!SKIPPED.has(filename) && isDirectory(path)) watchTree(path);
      });
    } catch {
      return; // gone already, or not readable: nothing of it can be loaded either
    }
    watcher.on('error', () => {
      watcher.close(); // the directory was removed
      watchedDirectories.delete(directory);
    });
    watcher.unref();
    watchers.push(watcher);
    watchedDirectories.add(directory);
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries)
      if (entry.isDirectory() && !SKIPPED.has(entry.name)) watchTree(join(directory, entry.name));
  };
  watchTree(root);
  const byDirectory = new Map<string, Set<string>>();
  for (const file of extraFiles.map((f) => resolve(root, f))) {
    const names = byDirectory.get(dirname(file)) ?? new Set<string>();
    byDirectory.set(dirname(file), names.add(basename(file)));
  }
  for (const [directory, names] of byDirectory) {
    try {
      const watcher = watch(directory, (_event, filename) => {
        if (filename && names.has(filename)) changedNow(join(directory, filename));
      });
      watcher.unref();
      watchers.push(watcher);
    } catch (error) {
      onWatchError(directory, error as Error);
    }
  }
  return {
    close: () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
