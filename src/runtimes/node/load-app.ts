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

/**
 * Import a module; TypeScript through tsx's scoped `tsImport` (a global `register()` breaks on Node 20 for a .ts
 * file outside a `"type": "module"` package: ERR_REQUIRE_CYCLE_MODULE).
 */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  if (!/\.[cm]?tsx?$/.test(path)) return (await import(url)) as Record<string, unknown>;
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

export async function loadApplication(target: string, cwd = process.cwd()): Promise<Application> {
  const { file, name } = parseScriptTarget(target);
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw AppLoadError.notFound(target, path);
  let module: Record<string, unknown>;
  try {
    module = await importModule(path);
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
