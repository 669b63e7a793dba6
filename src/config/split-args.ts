// Splits TSGI_CMD_ARGS (or GUNICORN_CMD_ARGS) into arguments as a POSIX shell would: whitespace separates, '…' and "…" quote, and a
// backslash escapes the next character (outside single quotes).

import { UsageError } from './usage-error.js';

/** `line`'s arguments; `name` is the variable it came from, for the error. */
export function splitArgs(line: string, name = 'TSGI_CMD_ARGS'): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inArg = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      inArg = true;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += c;
      inArg = true;
    }
  }
  if (quote) throw new UsageError('TSGI_BAD_CMD_ARGS', `${name} has an unclosed ${quote} quote`);
  if (inArg) args.push(current);
  return args;
}
