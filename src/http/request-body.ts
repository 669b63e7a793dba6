// wsgi.input's source on the HTTP side: pulls the request body from node:http's IncomingMessage on demand, so
// an app that never reads never makes us buffer (and node:http applies TCP backpressure meanwhile).

import type { IncomingMessage } from 'node:http';
import { type BodySource, clientErrors } from '../gateway/index.js';

export class RequestBodySource implements BodySource {
  #req: IncomingMessage;
  constructor(req: IncomingMessage) {
    this.#req = req;
  }

  next(): Promise<Uint8Array | null> {
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
  const error = clientErrors.bodyIncomplete();
  if (cause) Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}
