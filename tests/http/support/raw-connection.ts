// A raw TCP client that parses HTTP/1.x responses byte by byte, so tests can prove framing instead of trusting
// a client library that would hide a broken response.

import { connect, type Socket } from 'node:net';

export interface RawResponse {
  /** Status line, e.g. `HTTP/1.1 200 OK`. */
  statusLine: string;
  status: number;
  /** Header pairs in wire order, names as sent. */
  headers: Array<[string, string]>;
  /** The body with any chunked framing removed. */
  body: Buffer;
  /** How the body was delimited. */
  framing: 'none' | 'content-length' | 'chunked' | 'close';
  /** False when the connection closed before the framing said the body ended. */
  complete: boolean;
  /** The bytes of this response exactly as received (head, framing and body). */
  raw: Buffer;
}

/** Every value of header `name` (case-insensitive). */
export function headerValues(response: RawResponse, name: string): string[] {
  const lower = name.toLowerCase();
  return response.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The single value of header `name`, or undefined. */
export function header(response: RawResponse, name: string): string | undefined {
  const values = headerValues(response, name);
  return values.length === 0 ? undefined : values.join(', ');
}

export class RawConnection {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #waiters: Array<() => void> = [];
  /** True once the server closed (or reset) the connection. */
  closed = false;
  /** The socket error, if the connection was reset rather than ended. */
  error: Error | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on('error', (error) => {
      this.error = error;
    });
    socket.on('close', () => {
      this.#ended = true;
      this.closed = true;
      this.#wake();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Send bytes (strings as latin-1, so byte strings go out byte for byte). */
  send(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  /** Bytes received and not yet consumed by readResponse. */
  get pending(): Buffer {
    return this.#buffer;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Wait until `ready()` says there is enough data, or the connection ended. */
  async #until(ready: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready() && !this.#ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete response within ${timeoutMs} ms; got ${this.#describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #describe(): string {
    const text = this.#buffer.toString('latin1');
    return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
  }

  /** Wait for `text` to appear in the pending bytes. */
  async waitForText(text: string, timeoutMs = 2000): Promise<void> {
    await this.#until(() => this.#buffer.includes(text, 0, 'latin1'), timeoutMs);
    if (!this.#buffer.includes(text, 0, 'latin1'))
      throw new Error(`connection ended before ${JSON.stringify(text)}`);
  }

  /** Resolves true when the server closes the connection within `timeoutMs`, false otherwise. */
  async waitForClose(timeoutMs = 2000): Promise<boolean> {
    try {
      await this.#until(() => false, timeoutMs);
    } catch {
      return false;
    }
    return true;
  }

  /** Drop `n` bytes from the front of the pending buffer. */
  #consume(n: number): Buffer {
    const taken = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return taken;
  }

  /**
   * Read exactly one response. `method` is the request's method (a response to HEAD has no body). Interim
   * (1xx) responses are returned like any other; call again for the final one.
   */
  async readResponse(options: { method?: string; timeoutMs?: number } = {}): Promise<RawResponse> {
    const timeoutMs = options.timeoutMs ?? 3000;
    await this.#until(() => this.#buffer.includes('\r\n\r\n'), timeoutMs);
    const headEnd = this.#buffer.indexOf('\r\n\r\n');
    if (headEnd === -1) throw new Error(`connection ended without a response head; got ${this.#describe()}`);
    const headText = this.#buffer.subarray(0, headEnd).toString('latin1');
    const [statusLine, ...lines] = headText.split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    const headers: Array<[string, string]> = lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const head = this.#consume(headEnd + 4);
    const response = { statusLine, status, headers } as RawResponse;
    const te = header(response, 'transfer-encoding');
    const cl = header(response, 'content-length');
    const noBody =
      options.method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304;
    if (noBody) {
      return { ...response, body: Buffer.alloc(0), framing: 'none', complete: true, raw: head };
    }
    if (te !== undefined) {
      if (te.toLowerCase() !== 'chunked') throw new Error(`unexpected Transfer-Encoding ${te}`);
      return this.#readChunked(response, head, timeoutMs);
    }
    if (cl !== undefined) {
      const length = Number(cl);
      await this.#until(() => this.#buffer.length >= length, timeoutMs);
      const complete = this.#buffer.length >= length;
      const body = Buffer.from(this.#consume(Math.min(length, this.#buffer.length)));
      return { ...response, body, framing: 'content-length', complete, raw: Buffer.concat([head, body]) };
    }
    await this.#until(() => false, timeoutMs);
    const body = Buffer.from(this.#consume(this.#buffer.length));
    return { ...response, body, framing: 'close', complete: true, raw: Buffer.concat([head, body]) };
  }

  async #readChunked(response: RawResponse, head: Buffer, timeoutMs: number): Promise<RawResponse> {
    const parts: Buffer[] = [];
    const raw: Buffer[] = [head];
    for (;;) {
      await this.#until(() => this.#buffer.includes('\r\n'), timeoutMs);
      const lineEnd = this.#buffer.indexOf('\r\n');
      if (lineEnd === -1) {
        return {
          ...response,
          body: Buffer.concat(parts),
          framing: 'chunked',
          complete: false,
          raw: Buffer.concat(raw),
        };
      }
      const sizeLine = this.#buffer.subarray(0, lineEnd).toString('latin1');
      if (!/^[0-9a-fA-F]+(;.*)?$/.test(sizeLine))
        throw new Error(`bad chunk size line ${JSON.stringify(sizeLine)}`);
      const size = Number.parseInt(sizeLine, 16);
      const need = lineEnd + 2 + size + 2;
      await this.#until(() => this.#buffer.length >= need, timeoutMs);
      if (this.#buffer.length < need) {
        raw.push(this.#consume(this.#buffer.length));
        return {
          ...response,
          body: Buffer.concat(parts),
          framing: 'chunked',
          complete: false,
          raw: Buffer.concat(raw),
        };
      }
      const chunk = this.#consume(need);
      raw.push(chunk);
      if (chunk.subarray(need - 2).toString('latin1') !== '\r\n')
        throw new Error('chunk not followed by CRLF');
      if (size === 0) {
        return {
          ...response,
          body: Buffer.concat(parts),
          framing: 'chunked',
          complete: true,
          raw: Buffer.concat(raw),
        };
      }
      parts.push(Buffer.from(chunk.subarray(lineEnd + 2, lineEnd + 2 + size)));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Open a connection, send `request`, read one response, close. */
export async function rawRequest(
  port: number,
  request: string | Uint8Array,
  options: { method?: string; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const connection = await RawConnection.open(port);
  try {
    await connection.send(request);
    return await connection.readResponse(options);
  } finally {
    connection.close();
  }
}
