// SIGHUP reloads the configuration, as in Gunicorn: the settings are resolved again from the same sources (the
// command line, TSGI_CMD_ARGS, the config file as it is now), and the workers that replace the old ones run with
// them. What a running arbiter cannot change (its sockets, user, log files, pid file…) keeps its start-up value,
// with a warning naming each setting that changed; a configuration that no longer resolves is refused as a whole.

import type { Notice } from '../log.js';
import type { SupervisorOptions } from './options.js';
import { readTlsFiles } from './tls-files.js';

/** Resolves the settings again from their sources, as the command did at start-up. */
export type ReadOptions = () => Promise<{ options: SupervisorOptions; notices: readonly Notice[] }>;

/** Settings the next workers take from a reloaded configuration. */
const RELOADABLE = [
  'workers',
  'preload',
  'pasteGlobal',
  'frontEnds',
  'threads',
  'workerClass',
  'workerConnections',
  'timeout',
  'gracefulTimeout',
  'maxRequests',
  'maxRequestsJitter',
  'keepAlive',
  'logLevel',
  'accessLogformat',
  'limitRequestLine',
  'limitRequestFields',
  'limitRequestFieldSize',
  'limitRequestBody',
  'forwardedAllowIps',
  'secureSchemeHeaders',
  'proxyProtocol',
  'proxyAllowFrom',
  'rootPath',
  'env',
  'certfile',
  'keyfile',
  'caCerts',
  'certReqs',
  'ciphers',
  'pythonHooks',
] as const satisfies ReadonlyArray<keyof SupervisorOptions>;

/** Settings that only decide how a command starts: nothing to apply or to warn about on a reload. */
const START_ONLY = new Set<string>(['daemon', 'enableStdioInheritance', 'checkConfig', 'uid', 'gid']);

export interface Reloaded {
  options: SupervisorOptions;
  /** What to log: the new configuration's notices, then one warning per setting that needs a restart. */
  notices: Notice[];
}

/**
 * `current` (the options in force) with the reloadable settings of `fresh` (the TLS files checked first); the
 * others are compared with `started`, the options as the command resolved them at start-up. Throws, with the
 * reason, when the new TLS settings cannot be used.
 */
export function applyReload(
  current: SupervisorOptions,
  started: SupervisorOptions,
  fresh: SupervisorOptions,
): Reloaded {
  const next: Record<string, unknown> = { ...current };
  const incoming = fresh as unknown as Record<string, unknown>;
  for (const key of RELOADABLE) next[key] = incoming[key];
  readTlsFiles(next as unknown as SupervisorOptions);
  const notices: Notice[] = [];
  const reloadable = new Set<string>(RELOADABLE);
  const before = started as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(incoming)) {
    if (reloadable.has(key) || START_ONLY.has(key)) continue;
    if (JSON.stringify(value) !== JSON.stringify(before[key])) {
      notices.push({
        level: 'warning',
        message: `${key} changed in the configuration: restart tsgi to apply it (a reload keeps its sockets, user, files and logs)`,
      });
    }
  }
  return { options: next as unknown as SupervisorOptions, notices };
}
