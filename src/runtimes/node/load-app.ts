// Loads a TypeScript/JavaScript app from 'path/to/file.(ts|js|mjs|cjs)[:NAME]', NAME defaulting to
// 'application' as in Gunicorn. `.ts` files load through tsx's ESM hooks: no separate build step.

import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Application } from '../../gateway/index.js';
import { AppLoadError } from './errors.js';

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs']);

export interface AppTarget {
  file: string;
  name: string;
}

/** 'app.ts:api' → { file: 'app.ts', name: 'api' }; 'app.ts' → name 'application'. */
export function parseScriptTarget(target: string): AppTarget {
  // The last ':' splits file from name, unless what follows it looks like a path (Windows drive, etc.).
  const colon = target.lastIndexOf(':');
  if (colon > 0 && SCRIPT_EXTENSIONS.has(extname(target.slice(0, colon)))) {
    return { file: target.slice(0, colon), name: target.slice(colon + 1) || 'application' };
  }
  return { file: target, name: 'application' };
}

/** True when the target names a script file rather than a Python module. */
export function isScriptTarget(target: string): boolean {
  return SCRIPT_EXTENSIONS.has(extname(parseScriptTarget(target).file));
}

let tsxRegistered: Promise<void> | undefined;

/** Register tsx's loader once per process, only when a TypeScript file is actually loaded. */
function ensureTypeScript(): Promise<void> {
  tsxRegistered ??= import('tsx/esm/api').then((api) => {
    api.register();
  });
  return tsxRegistered;
}

export async function loadApplication(target: string, cwd = process.cwd()): Promise<Application> {
  const { file, name } = parseScriptTarget(target);
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw AppLoadError.notFound(target, path);
  if (/\.[cm]?tsx?$/.test(path)) await ensureTypeScript();
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw AppLoadError.importFailed(target, error);
  }
  // A CommonJS module's exports arrive on `default`.
  const exported =
    name in module ? module[name] : (module.default as Record<string, unknown> | undefined)?.[name];
  if (typeof exported !== 'function') {
    const callables = Object.keys(module).filter((k) => typeof module[k] === 'function');
    throw AppLoadError.noSuchApp(target, name, callables, exported);
  }
  return exported as Application;
}
