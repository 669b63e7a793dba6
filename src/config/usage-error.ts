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

/** How a rejected value prints in a message: strings quoted as typed, anything else as JSON. */
export function showValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
