// An app whose module throws while it is imported, as one with a missing configuration does.
import type { Application } from '../../../src/gateway/index.js';

if (process.env.TSGI_TEST_DATABASE_URL === undefined) throw new Error('DATABASE_URL is not set');

export const application: Application = (_environ, startResponse) => {
  startResponse('200 OK', []);
  return [];
};
