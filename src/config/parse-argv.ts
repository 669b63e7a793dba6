// The command-line parser, derived from the registry: `--flag VALUE`, `--flag=VALUE`, `-f VALUE`, `-fVALUE`,
// switches, repeatable flags, `--` and the positional APP. The same parser reads TSGI_CMD_ARGS.

import type { Notice } from '../log.js';
import { type ForeignSetting, foreignFlag } from './gunicorn-names.js';
import { allSettings, settingForFlag } from './registry.js';
import { InvalidValue, type Setting } from './setting.js';
import { closest } from './suggest.js';
import { showValue, UsageError } from './usage-error.js';

export const HELP_FLAGS = ['-h', '--help'];
export const VERSION_FLAGS = ['-v', '--version'];

export interface ParsedArgs {
  /** Validated values of the settings given, by setting name. */
  values: Record<string, unknown>;
  help: boolean;
  version: boolean;
  /** Gunicorn options accepted without a tsgi setting: what the log should say about each. */
  notices: Notice[];
}

/** Validates one value for a setting; `where` names its origin in the error ("--workers", "workers in x.json"). */
export function validateSetting(setting: Setting, value: unknown, where: string): unknown {
  try {
    return setting.validate(value);
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    const detail = error.detail ? `: ${error.detail}` : '';
    throw new UsageError(
      'TSGI_BAD_VALUE',
      `${where} expects ${setting.expected}, got ${showValue(value)}${detail}`,
    );
  }
}

/**
 * A Gunicorn setting tsgi has no setting for, named by `what` (`--worker-tmp-dir`, `'sendfile' in
 * gunicorn.conf.py`): a notice to log, or a usage error when running without it would be wrong.
 */
export function foreignNotice(what: string, setting: ForeignSetting): Notice {
  if (setting.effect === 'refused')
    throw new UsageError('TSGI_UNSUPPORTED_OPTION', `${what} (Gunicorn's) is not supported: ${setting.why}`);
  return setting.effect === 'none'
    ? { level: 'info', message: `${what} has no effect: ${setting.why}` }
    : { level: 'warning', message: `${what} is ignored: ${setting.why}` };
}

/** Whether `arg` is a value `setting` accepts (for a flag whose value may be left out). */
function isValueOf(setting: Setting, arg: string): boolean {
  if (arg.startsWith('-')) return false;
  try {
    setting.validate(arg);
    return true;
  } catch {
    return false;
  }
}

function unknownFlag(flag: string, origin: string): UsageError {
  const flags = allSettings().flatMap((s) => s.flags.filter((f) => f.startsWith('--')));
  const guess = flag.startsWith('--') ? closest(flag, [...flags, '--help', '--version']) : undefined;
  const hint = guess ? `; did you mean ${guess}?` : '';
  return new UsageError(
    'TSGI_UNKNOWN_OPTION',
    `unknown option ${flag}${origin}${hint} (tsgi --help lists every option)`,
  );
}

/**
 * Parses `args`. `source` is appended to the names in errors, e.g. ' in TSGI_CMD_ARGS'; empty for the command
 * line itself.
 */
export function parseArgv(args: readonly string[], source = ''): ParsedArgs {
  const parsed: ParsedArgs = { values: {}, help: false, version: false, notices: [] };
  const positionals: string[] = [];
  const set = (setting: Setting, value: unknown, flag: string) => {
    const validated = validateSetting(setting, value, `${flag}${source}`);
    const previous = parsed.values[setting.name];
    parsed.values[setting.name] =
      setting.repeatable && Array.isArray(previous) ? [...previous, ...(validated as unknown[])] : validated;
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (HELP_FLAGS.includes(arg)) {
      parsed.help = true;
      continue;
    }
    if (VERSION_FLAGS.includes(arg)) {
      parsed.version = true;
      continue;
    }
    let flag = arg;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        flag = arg.slice(0, eq);
        inline = arg.slice(eq + 1);
      }
    } else if (arg.length > 2) {
      // -w4, -b127.0.0.1:9000
      flag = arg.slice(0, 2);
      inline = arg.slice(2);
    }
    if (HELP_FLAGS.includes(flag) || VERSION_FLAGS.includes(flag))
      throw new UsageError('TSGI_UNEXPECTED_VALUE', `${flag}${source} takes no value, got '${inline}'`);
    const setting = settingForFlag(flag);
    const foreign = setting ? undefined : foreignFlag(flag);
    if (foreign) {
      parsed.notices.push(foreignNotice(`${flag}${source}`, foreign.setting));
      if (foreign.setting.takes === 'value' && inline === undefined) i++; // its value, unused
      continue;
    }
    if (!setting || setting.positional) throw unknownFlag(flag, source);
    if (setting.boolean) {
      set(setting, inline ?? true, flag);
      continue;
    }
    if (inline === undefined && setting.bare !== undefined) {
      inline = i + 1 < args.length && isValueOf(setting, args[i + 1]) ? args[++i] : setting.bare;
    }
    if (inline === undefined) {
      if (i + 1 >= args.length) {
        throw new UsageError(
          'TSGI_MISSING_VALUE',
          `${flag}${source} expects ${setting.expected}, got nothing`,
        );
      }
      inline = args[++i];
    }
    set(setting, inline, flag);
  }

  if (positionals.length > 1) {
    throw new UsageError(
      'TSGI_EXTRA_ARGUMENT',
      `unexpected argument ${showValue(positionals[1])}${source}: tsgi serves one APP (options go before or after it)`,
    );
  }
  if (positionals.length === 1) {
    const app = allSettings().find((s) => s.positional)!;
    set(app, positionals[0], 'APP');
  }
  return parsed;
}
