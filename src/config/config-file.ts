// The -c/--config file: a JavaScript module (or JSON) exporting settings by name. Named exports and a default
// export object both work; a name that is not a setting is an error (with a suggestion), not silently ignored.
// A Python file (Gunicorn's gunicorn.conf.py) is read by python-config-file.ts.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, type Notice } from '../log.js';
import { validateSetting } from './parse-argv.js';
import { loadPythonConfigFile } from './python-config-file.js';
import { allSettings, settingNamed } from './registry.js';
import { closest } from './suggest.js';
import { showValue, UsageError } from './usage-error.js';

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

/** Loads so far: each load of a module imports it afresh (SIGHUP rereads the file as it is now). */
let loads = 0;

async function importSettings(path: string): Promise<Record<string, unknown>> {
  if (extname(path) === '.json') return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // Modules are cached: by URL for ES modules (a new query string makes a new one), by path for CommonJS ones.
  delete createRequire(import.meta.url).cache[path];
  const url = `${pathToFileURL(path).href}?load=${++loads}`;
  // tsImport, not register() + import(): it also loads a .ts file outside a "type": "module" package.
  const module = (
    /\.[cm]?ts$/.test(path)
      ? await import('tsx/esm/api').then((api) => api.tsImport(url, import.meta.url))
      : await import(url)
  ) as Record<string, unknown>;
  const { default: fallback, ...named } = module;
  const base = fallback !== null && typeof fallback === 'object' && !Array.isArray(fallback) ? fallback : {};
  return { ...(base as Record<string, unknown>), ...named };
}

function camelCase(name: string): string {
  return name.replace(/[_-]([a-z])/g, (_, c: string) => c.toUpperCase());
}

export interface ConfigFile {
  values: Record<string, unknown>;
  notices: Notice[];
  /** A Python config file's worker hooks (post_fork…), which a Python app's workers run. */
  workerHooks?: string[];
}

/**
 * Reads and validates the config file at `file` (relative to `cwd`); `python` is the interpreter that runs a
 * Python config file.
 */
export async function loadConfigFile(file: string, cwd: string, python: string): Promise<ConfigFile> {
  if (file.startsWith('python:')) return loadPythonConfigFile(file, file, cwd, python);
  const path = resolve(cwd, file);
  const shown = basename(path);
  const ext = extname(path);
  if (ext !== '.json' && ext !== '.py' && !MODULE_EXTENSIONS.has(ext)) {
    throw new UsageError(
      'TSGI_BAD_CONFIG_FILE',
      `--config ${file}: use a .js, .mjs, .cjs, .ts, .json or .py file (or python:MODULE)`,
    );
  }
  if (!existsSync(path)) throw new UsageError('TSGI_NO_CONFIG_FILE', `--config ${file}: no file at ${path}`);
  if (ext === '.py') return loadPythonConfigFile(path, shown, cwd, python);
  let exported: Record<string, unknown>;
  try {
    exported = await importSettings(path);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError('TSGI_BAD_CONFIG_FILE', `--config ${file}: loading it failed with ${detail}`);
  }
  if (exported === null || typeof exported !== 'object' || Array.isArray(exported)) {
    throw new UsageError(
      'TSGI_BAD_CONFIG_FILE',
      `--config ${file}: it holds ${showValue(exported)}; write an object of settings such as {"workers": 2}`,
    );
  }
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exported)) {
    const setting = settingNamed(name);
    if (!setting || name === 'config') {
      const guess =
        settingNamed(camelCase(name))?.name ??
        closest(
          name,
          allSettings().map((s) => s.name),
        );
      const hint = guess ? `; did you mean '${guess}'?` : '';
      throw new UsageError(
        'TSGI_UNKNOWN_SETTING',
        `${shown} sets '${name}', which is not a setting${hint} (names are the long flags in camelCase; see docs/settings.md)`,
      );
    }
    if (value === undefined) continue;
    try {
      values[name] = validateSetting(setting, value, `'${name}' in ${shown}`);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // A value that throws when read (a getter, a Proxy): the file's own error, named.
      throw new UsageError(
        'TSGI_BAD_VALUE',
        `'${name}' in ${shown} could not be read: ${errorMessage(error)}`,
      );
    }
  }
  return { values, notices: [] };
}
