// Resolves the settings from every source. Precedence, lowest first: built-in defaults, environment defaults
// (PORT, WEB_CONCURRENCY, SCRIPT_NAME), the config file, TSGI_CMD_ARGS, the command line — as Gunicorn.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Notice } from '../log.js';
import { defaultPython } from '../runtimes/python/python-app.js';
import { loadConfigFile } from './config-file.js';
import { GUNICORN_SETTINGS } from './gunicorn-names.js';
import { parseArgv, validateSetting } from './parse-argv.js';
import { allSettings, type Config, defaultConfig } from './registry.js';
import { splitArgs } from './split-args.js';
import { UsageError } from './usage-error.js';

export type Resolution =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'print-config'; config: Config; notices: Notice[] }
  | {
      kind: 'run';
      config: Config & { app: string };
      notices: Notice[];
      pythonConfig: PythonConfigFile | null;
    };

/**
 * A Python config file (a path, or `python:MODULE`) and the directory it was read from, for the worker hooks; with
 * the settings in force under Gunicorn's names (`server.cfg.workers` in a hook).
 */
export interface PythonConfigFile {
  location: string;
  cwd: string;
  cfg: Record<string, unknown>;
}

/** Read from the working directory when no -c is given, as Gunicorn reads it. */
export const DEFAULT_CONFIG_FILE = 'gunicorn.conf.py';

export interface Sources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export async function resolveConfig({ argv, env, cwd }: Sources): Promise<Resolution> {
  const command = parseArgv(argv);
  if (command.help) return { kind: 'help' };
  if (command.version) return { kind: 'version' };
  // Gunicorn's GUNICORN_CMD_ARGS (a container image's environment, say) counts when TSGI_CMD_ARGS is not set.
  const argsVariable = env.TSGI_CMD_ARGS
    ? 'TSGI_CMD_ARGS'
    : env.GUNICORN_CMD_ARGS
      ? 'GUNICORN_CMD_ARGS'
      : null;
  const fromEnvArgs = argsVariable
    ? parseArgv(splitArgs(env[argsVariable]!, argsVariable), ` in ${argsVariable}`)
    : null;
  const named = (command.values.config ?? fromEnvArgs?.values.config) as string | null | undefined;
  const byDefault = named === undefined && existsSync(join(cwd, DEFAULT_CONFIG_FILE));
  const configFile = byDefault ? DEFAULT_CONFIG_FILE : named;
  // A Python config file runs under the interpreter the app would: --python, else $VIRTUAL_ENV's, else python3.
  const python = (command.values.python ?? fromEnvArgs?.values.python ?? defaultPython(env)) as string;
  const fromFile = configFile ? await loadConfigFile(configFile, cwd, python) : { values: {}, notices: [] };
  const notices: Notice[] = [];
  if (argsVariable === 'GUNICORN_CMD_ARGS')
    notices.push({
      level: 'info',
      message: 'Read options from $GUNICORN_CMD_ARGS (TSGI_CMD_ARGS is not set)',
    });
  if (byDefault) {
    const message = `Read settings from ./${DEFAULT_CONFIG_FILE} (read when no -c is given, as Gunicorn does)`;
    notices.push({ level: 'info', message });
  }
  notices.push(...fromFile.notices, ...(fromEnvArgs?.notices ?? []), ...command.notices);
  const given: Record<string, unknown> = { ...fromFile.values, ...fromEnvArgs?.values, ...command.values };

  // Environment defaults see -e too: `-e SCRIPT_NAME=/app` sets the root path, as it would under Gunicorn.
  const rawEnv = (given.env ?? []) as Array<[string, string]>;
  const environment = { ...env, ...Object.fromEntries(rawEnv) };
  const config: Record<string, unknown> = { ...defaultConfig() };
  for (const setting of allSettings()) {
    const text = setting.env ? environment[setting.env] : undefined;
    if (setting.name in given || text === undefined || text === '') continue;
    config[setting.name] = setting.fromEnv
      ? wrapEnv(setting.env!, () => setting.fromEnv!(text))
      : validateSetting(setting, text, `$${setting.env}`);
  }
  Object.assign(config, given);

  const resolved = config as Config;
  if (resolved.printConfig) return { kind: 'print-config', config: resolved, notices };
  if (resolved.paste) resolved.app = pasteTarget(resolved.paste, resolved.app, cwd);
  else if (resolved.pasteGlobal.length > 0)
    notices.push({ level: 'warning', message: '--paste-global has no effect without --paste' });
  if (!resolved.app) {
    throw new UsageError(
      'TSGI_NO_APP',
      'no APP given: name the app to serve, e.g. `tsgi app.ts` or `tsgi proj.wsgi:application` (or `--paste development.ini`)',
    );
  }
  // Only a Python config file with worker hooks is run again, by each Python worker (as --user, after the switch).
  const pythonConfig =
    configFile && (fromFile.workerHooks?.length ?? 0) > 0
      ? {
          location: configFile.startsWith('python:') ? configFile : resolve(cwd, configFile),
          cwd,
          cfg: gunicornView(resolved),
        }
      : null;
  return { kind: 'run', config: resolved as Config & { app: string }, notices, pythonConfig };
}

/**
 * --paste FILE[#NAME] as the app: `config:/ABSOLUTE/FILE[#NAME]`, PasteDeploy's own URI, which the Python worker
 * loads with loadapp (python/tsgi_worker/app_loader.py); a Python target because its part before ':' is a name. A
 * relative FILE is taken from the directory tsgi was started in, not --chdir, as Gunicorn takes it.
 */
function pasteTarget(paste: string, app: string | null | undefined, cwd: string): string {
  if (app) {
    throw new UsageError(
      'TSGI_PASTE_AND_APP',
      // Gunicorn lets --paste win in silence; two apps named is more likely a mistake than a wish.
      `give an APP (on the command line, or wsgi_app in a config file) or --paste ${paste}, not both: --paste names the app`,
    );
  }
  const uri = resolve(cwd, paste);
  const file = uri.split('#')[0];
  if (!existsSync(file)) {
    throw new UsageError('TSGI_PASTE_NOT_FOUND', `--paste ${paste}: ${file} not found`);
  }
  return `config:${uri}`;
}

/** The settings under Gunicorn's names (raw_env as its KEY=VALUE strings). */
function gunicornView(config: Config): Record<string, unknown> {
  const values = config as Record<string, unknown>;
  const view: Record<string, unknown> = {};
  for (const [gunicorn, setting] of Object.entries(GUNICORN_SETTINGS)) {
    const value = values[setting];
    view[gunicorn] =
      setting === 'env' || setting === 'pasteGlobal'
        ? (value as Array<[string, string]>).map(([k, v]) => `${k}=${v}`)
        : value;
  }
  return view;
}

function wrapEnv<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new UsageError('TSGI_BAD_VALUE', `$${name} has an unusable value${detail}`);
  }
}
