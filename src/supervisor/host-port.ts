// `HOST:PORT` as the UDP/TCP destinations take it (--statsd-host, --log-syslog-to): an IPv6 address in brackets, the
// port optional. One reader, so every destination refuses a port that a socket would refuse.

/**
 * `HOST:PORT`, `[IPv6]:PORT`, or either without the port (then `defaultPort`). The host may be empty (the caller
 * decides what that means). Throws with the reason when the text is not that or the port is not 1–65535.
 */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*))(?::([^:]*))?$/.exec(text);
  if (!match) throw new Error(`${JSON.stringify(text)} is not HOST:PORT`);
  const portText = match[3];
  const port = portText === undefined ? defaultPort : /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) throw new Error(`${JSON.stringify(portText)} is not a port (1 to 65535)`);
  return { host: match[1] ?? match[2], port };
}
