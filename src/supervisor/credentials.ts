// --user, --group (Gunicorn's): whom the workers run as. The main process stays root to bind low ports, write the
// pid file and own unix sockets; each worker switches before it loads the app, as Gunicorn's workers do.

import { spawnSync } from 'node:child_process';
import { errorMessage } from '../log.js';

export interface Credentials {
  uid: number | null;
  gid: number | null;
  /** --initgroups: the user's supplementary groups from the group database, not only `gid`. */
  initgroups?: boolean;
}

/** The id a command prints for a user or group name: the system's own tools, so NSS/LDAP names work too. */
function lookup(command: string, args: string[], what: string, field = (out: string) => out): number {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  const id = Number(field(run.stdout ?? '').trim());
  if (run.status !== 0 || !Number.isInteger(id) || run.stdout.trim() === '')
    throw new Error(`no such ${what}`);
  return id;
}

/**
 * The numeric ids for --user and --group. Without --group, a user's own primary group (as `su` does; Gunicorn
 * would keep the main process's group, root's, which is rarely what was meant).
 */
export function resolveCredentials(
  user: string | null,
  group: string | null,
  initgroups = false,
): Credentials {
  if (initgroups && user === null) throw new Error('--initgroups gives the groups of the --user: name one');
  let uid: number | null = null;
  let gid: number | null = null;
  if (user !== null) {
    try {
      uid = lookup('id', ['-u', user], 'user');
      if (group === null) gid = lookup('id', ['-g', user], 'user');
    } catch (error) {
      if (!/^\d+$/.test(user)) throw new Error(`--user ${user}: ${errorMessage(error)}`);
      // A uid without a passwd entry (a container's) is allowed, but it has no groups to give.
      if (initgroups)
        throw new Error(
          `--initgroups needs --user to name a user of the user database, and uid ${user} has no entry`,
        );
      uid = numericId(user, '--user');
    }
  }
  if (group !== null) {
    if (/^\d+$/.test(group)) gid = numericId(group, '--group');
    else {
      try {
        gid = lookup('getent', ['group', group], 'group', (out) => out.split(':')[2] ?? '');
      } catch (error) {
        throw new Error(`--group ${group}: ${errorMessage(error)}`);
      }
    }
  }
  return { uid, gid, initgroups };
}

/** The largest uid or gid: uid_t is 32 bits, and (uid_t)-1 means "no change" to setuid(2) and chown(2). */
const MAX_ID = 2 ** 32 - 2;

function numericId(text: string, flag: string): number {
  const id = Number(text);
  if (id > MAX_ID) throw new Error(`${flag} ${text}: not an id (0 to ${MAX_ID})`);
  return id;
}

/** Node has process.initgroups on POSIX; @types/node leaves it out. */
type InitGroups = { initgroups?: (user: string | number, extraGroup: string | number) => void };

/** In a worker, before it loads the app: the group first (only root may still change it), then the user. */
export function switchCredentials({ uid, gid, initgroups = false }: Credentials): void {
  try {
    if (gid !== null && (gid !== process.getgid?.() || uid !== null)) {
      // Root's supplementary groups go either way: replaced by the user's (initgroups(3)) or by gid alone.
      if (initgroups && uid !== null) (process as InitGroups).initgroups?.(uid, gid);
      else process.setgroups?.([gid]);
      process.setgid?.(gid);
    }
    if (uid !== null && uid !== process.getuid?.()) process.setuid?.(uid);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot switch to ${uid !== null ? `uid ${uid}` : ''}${uid !== null && gid !== null ? ', ' : ''}${
        gid !== null ? `gid ${gid}` : ''
      } (${code ?? (error as Error).message})${code === 'EPERM' ? ': --user and --group need tsgi to start as root' : ''}`,
    );
  }
}

/** --umask as Gunicorn reads it: octal with a leading 0 (0022), 0o22, 0x12 or decimal. */
export function parseUmask(text: string): number | null {
  const s = text.trim();
  const value = /^0[0-7]*$/.test(s)
    ? Number.parseInt(s, 8)
    : /^0o[0-7]+$/i.test(s)
      ? Number.parseInt(s.slice(2), 8)
      : /^0x[0-9a-f]+$/i.test(s)
        ? Number.parseInt(s.slice(2), 16)
        : /^\d+$/.test(s)
          ? Number(s)
          : Number.NaN;
  return Number.isInteger(value) && value >= 0 && value <= 0o777 ? value : null;
}
