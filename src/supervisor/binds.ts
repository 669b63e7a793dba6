// Bind addresses, as Gunicorn writes them: `HOST:PORT`, `[IPv6]:PORT`, `HOST` (port 8000), `:PORT` (all
// interfaces), `tcp://HOST:PORT`, `unix:PATH`, and `fd://N`, a listening socket tsgi was started with (systemd's
// socket activation, a supervisor that binds for it). Pure: parsing and formatting only.

export type Bind =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'fd'; readonly fd: number };

export const DEFAULT_PORT = 8000;
/** The highest fd:// accepted: far above what a service manager passes, low enough to refuse a typo at once. */
export const MAX_FD = 65535;

export class BindSyntaxError extends Error {
  readonly code = 'TSGI_BAD_BIND';
}

export function parseBind(text: string): Bind {
  const address = text.trim();
  if (/^unix:/.test(address)) {
    const path = address.replace(/^unix:(\/\/)?/, '');
    if (path === '') throw new BindSyntaxError(`'${text}' names no socket path: write unix:/run/app.sock`);
    return { kind: 'unix', path };
  }
  if (/^fd:\/\//.test(address)) {
    const fd = address.slice('fd://'.length);
    if (!/^\d{1,5}$/.test(fd) || Number(fd) < 3 || Number(fd) > MAX_FD)
      throw new BindSyntaxError(
        `'${text}' names no listening socket: write fd://3 (fds 0-2 are stdio; at most fd://${MAX_FD})`,
      );
    return { kind: 'fd', fd: Number(fd) };
  }
  const netloc = address.replace(/^tcp:\/\//, '');
  let host: string;
  let portText: string | undefined;
  if (netloc.startsWith('[')) {
    const close = netloc.indexOf(']');
    if (close < 0) throw new BindSyntaxError(`'${text}' opens '[' without closing it: write [::1]:8000`);
    host = netloc.slice(1, close);
    const rest = netloc.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':'))
      throw new BindSyntaxError(`'${text}': expected ':PORT' after ']'`);
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    if ((netloc.match(/:/g) ?? []).length > 1) {
      throw new BindSyntaxError(`'${text}' looks like an IPv6 address: put it in brackets, e.g. [::1]:8000`);
    }
    const colon = netloc.indexOf(':');
    host = colon < 0 ? netloc : netloc.slice(0, colon);
    portText = colon < 0 ? undefined : netloc.slice(colon + 1);
  }
  if (host === '' && portText === undefined) throw new BindSyntaxError(`'${text}' is empty: write HOST:PORT`);
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (portText !== undefined && (!/^\d+$/.test(portText) || port > 65535)) {
    throw new BindSyntaxError(`'${text}' has port '${portText}': a port is a number from 0 to 65535`);
  }
  // An empty host means every interface, as in Gunicorn.
  return { kind: 'tcp', host: host === '' ? '0.0.0.0' : host.toLowerCase(), port };
}

/** `http://127.0.0.1:8000`, `https://[::1]:8443`, `unix:/run/app.sock`, as the log prints it. */
export function formatBind(bind: Bind, scheme: 'http' | 'https' = 'http'): string {
  if (bind.kind === 'unix') return `unix:${bind.path}`;
  if (bind.kind === 'fd') return `fd://${bind.fd}`;
  const host = bind.host.includes(':') ? `[${bind.host}]` : bind.host;
  return `${scheme}://${host}:${bind.port}`;
}
