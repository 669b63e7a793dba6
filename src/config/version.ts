// tsgi's version, read from package.json (two levels up from both src/config and dist/config).

import { readFileSync } from 'node:fs';

export function tsgiVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
