// What a setting is. Each one is declared once, in settings/<section>.ts; the argv parser, --help, the config
// file, TSGI_CMD_ARGS, --print-config and docs/settings.md are all derived from these declarations.
// A setting's name is its long flag in camelCase (--max-requests → maxRequests), and config files use it.

export const SECTIONS = [
  'application',
  'server',
  'workers',
  'logging',
  'limits',
  'python',
  'mechanics',
] as const;
export type Section = (typeof SECTIONS)[number];

export const SECTION_TITLES: Record<Section, string> = {
  application: 'Application',
  server: 'Server socket',
  workers: 'Worker processes',
  logging: 'Logging',
  limits: 'Request limits (security)',
  python: 'Python applications',
  mechanics: 'Server mechanics',
};

export interface Setting<N extends string = string, T = unknown> {
  readonly name: N;
  readonly section: Section;
  /** Command-line flags, short first: ['-w', '--workers']. Empty for the positional APP. */
  readonly flags: readonly string[];
  /** A typical value as typed on the command line ('' for a switch); the docs show it, a test parses it. */
  readonly example: string;
  /** What follows the example in docs/settings.md's command line (default 'APP'; '' for a setting that names the app). */
  readonly exampleTail?: string;
  /** Placeholder for the value in --help: `--workers INT`. */
  readonly metavar: string;
  /** A switch: present means true, takes no value. */
  readonly boolean?: boolean;
  /**
   * The value may be left out: the flag alone means this text (`--proxy-protocol` = `auto`). The next argument is
   * taken as the value only when it is one (so `--proxy-protocol app:application` leaves the APP alone).
   */
  readonly bare?: string;
  /** May be given more than once on the command line; the values (arrays) are concatenated. */
  readonly repeatable?: boolean;
  /** The positional argument (the APP). */
  readonly positional?: boolean;
  /** Set in a config file only (a structured value, as Gunicorn's secure_scheme_headers); `flags` is empty. */
  readonly configFileOnly?: boolean;
  /** An environment variable that supplies the default when set (as Gunicorn reads WEB_CONCURRENCY). */
  readonly env?: string;
  /** Turns the environment variable's text into the value; `validate` when absent. */
  readonly fromEnv?: (text: string) => T;
  readonly default: T;
  /** How the default reads in --help and the docs, when the value itself would mislead. */
  readonly defaultText?: string;
  /** What a valid value looks like, completing "--workers expects …". */
  readonly expected: string;
  /**
   * Turns text from the command line (or a value from a config file) into the setting's value.
   * Throws InvalidValue when it is not acceptable.
   */
  readonly validate: (value: unknown) => T;
  /** One or two sentences for --help; docs/settings.md adds `details`. */
  readonly help: string;
  readonly details?: string;
}

/** Declares a setting, keeping its literal name and value type for the Config type. */
export function defineSetting<const N extends string, T>(setting: Setting<N, T>): Setting<N, T> {
  return setting;
}

/** Thrown by a validator; the caller adds where the value came from. */
export class InvalidValue extends Error {
  constructor(readonly detail?: string) {
    super(detail ?? 'invalid value');
  }
}
