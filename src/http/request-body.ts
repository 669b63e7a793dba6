// wsgi.input's source on the HTTP side: pulls the request body from node:http's IncomingMessage on demand, so
// an app that never reads never makes us buffer (and node:http applies TCP backpressure meanwhile).

import type { IncomingMessage } from 'node:http';
import { type BodySource, clientErrors } from '../gateway/index.js';

export class RequestBodySource implements BodySource {
  #req: IncomingMessage;
  /** --limit-request-body in bytes, 0 = unlimited; a declared Content-Length was checked before the app ran. */
  #limit: number;
  #received = 0;

  constructor(req: IncomingMessage, limit = 0) {
    this.#req = req;
    this.#limit = limit;
  }

  next(): Promise<Uint8Array | null> {
    return this.#limit > 0 ? this.#pull().then((chunk) => this.#count(chunk)) : this.#pull();
  }

  /** A body (chunked) that grows past the limit fails the read: 413 if the app lets the error through. */
  #count(chunk: Uint8Array | null): Uint8Array | null {
    if (chunk === null) return null;
    this.#received += chunk.length;
    if (this.#received > this.#limit) {
      this.#req.destroy();
      throw clientErrors.bodyTooLarge(this.#limit);
    }
    return chunk;
  }

  #pull(): Promise<Uint8Array | null> {
    const req = this.#req;
    const chunk = req.read() as Buffer | null;
    if (chunk !== null) return Promise.resolve(chunk);
    if (req.readableEnded || req.complete) {
      // complete with nothing buffered: 'end' may not have fired yet, but no more bytes will come.
      if (req.readableLength === 0) return Promise.resolve(null);
    }
    // Gone before the end, possibly while the app was busy elsewhere: 'close' has fired already and will not again.
    if (req.destroyed) return Promise.reject(incomplete(req.errored));
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        req.off('readable', onReadable);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      const onReadable = () => {
        const next = req.read() as Buffer | null;
        if (next !== null) {
          cleanup();
          resolve(next);
        }
      };
      const onEnd = () => {
        cleanup();
        resolve(null);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(incomplete(error));
      };
      const onClose = () => {
        cleanup();
        if (req.complete) resolve(null);
        else reject(incomplete(req.errored));
      };
      req.on('readable', onReadable);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  }
}

function incomplete(cause: unknown) {
  return clientErrors.bodyIncomplete(cause);
}
