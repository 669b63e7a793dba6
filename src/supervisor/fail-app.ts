// With --reload, an app that fails to load is served as this app (500 with the error) instead of stopping the
// server: fix the file and the reloader brings the real app back. Gunicorn does the same.

import type { Application } from '../gateway/index.js';

export function failApp(message: string): Application {
  const body = new TextEncoder().encode(
    `tsgi: the app failed to load (fix it and save; --reload is watching)\n\n${message}\n`,
  );
  return (_environ, startResponse) => {
    startResponse('500 Internal Server Error', [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Length', String(body.length)],
    ]);
    return [body];
  };
}
