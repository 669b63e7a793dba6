// An app whose start-up leaves a promise nobody awaits, which rejects while its worker is still starting.
import type { Application } from '../../../src/gateway/index.js';

void Promise.reject(new Error('initialisation failed in the background'));

export const application: Application = (_environ, startResponse) => {
  startResponse('200 OK', []);
  return [];
};
