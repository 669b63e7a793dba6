// systemd socket activation (sd_listen_fds(3)), as Gunicorn supports it: started by a .socket unit, tsgi gets its
// listening sockets as fds 3, 4, … with LISTEN_FDS=n and LISTEN_PID=its pid, and serves on those instead of --bind.
// The variables are then removed, so that the workers (and the app) do not take them for their own.

/** sd_listen_fds(3): the first passed fd. */
export const SD_LISTEN_FDS_START = 3;

/** The binds for the sockets systemd passed to this process (`fd://3`…), or null when it passed none. */
export function systemdBinds(env: NodeJS.ProcessEnv = process.env): string[] | null {
  const count = Number(env.LISTEN_FDS);
  const forUs = env.LISTEN_PID === String(process.pid);
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  if (!forUs || !Number.isInteger(count) || count < 1) return null;
  return Array.from({ length: count }, (_, i) => `fd://${SD_LISTEN_FDS_START + i}`);
}
