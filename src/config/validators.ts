// Validators shared by the settings: each accepts text (command line, environment) or a config-file value,
// and throws InvalidValue when it cannot make a value of its type from it.

import { InvalidValue } from './setting.js';

/** The longest duration a setting may give, in seconds: Node's timers hold at most 2^31 - 1 ms (24.8 days). */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A whole number of seconds a timer will wait: 0 to MAX_SECONDS. */
export const seconds = (value: unknown): number => integer(0, MAX_SECONDS)(value);

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: unknown) => number {
  return (value) => {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
          ? Number(value)
          : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidValue();
    return n;
  };
}

export function text(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidValue();
  return value;
}

export function nonEmptyText(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new InvalidValue();
  return value;
}

/** A string or null (unset). A config file may give null to unset it. */
export function optionalText(value: unknown): string | null {
  if (value === null) return null;
  return nonEmptyText(value);
}

/** A user or group: a name, or a numeric id given as text or (in a config file) as a number. */
export function nameOrId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return optionalText(value);
}

export function boolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
  }
  throw new InvalidValue();
}

export function oneOf<const C extends string>(choices: readonly C[]): (value: unknown) => C {
  return (value) => {
    const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if (typeof v !== 'string' || !choices.includes(v as C)) throw new InvalidValue();
    return v as C;
  };
}

/** 'a,b' → ['a', 'b'] (empty items dropped); a config file may give an array. */
export function commaList(value: unknown): string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (!items || items.some((item) => typeof item !== 'string')) throw new InvalidValue();
  return (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
}

/** One item or an array of them (a repeatable flag gives one per occurrence; a config file may give many). */
export function listOf<T>(item: (value: unknown) => T): (value: unknown) => T[] {
  return (value) => (Array.isArray(value) ? value : [value]).map(item);
}
