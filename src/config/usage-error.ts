// A mistake on the command line, in TSGI_CMD_ARGS, a config file or an environment default. The CLI prints
// the message on one line and exits with USAGE_EXIT_CODE, as argparse does.

export const USAGE_EXIT_CODE = 2;

export class UsageError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}

/** How a rejected value prints in a message: strings quoted as typed, anything else as JSON if it can be. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return `a ${Array.isArray(value) ? 'list' : typeof value} that cannot be shown (circular?)`;
  }
}
