// The contract, pure: nothing here touches sockets or processes.
export * from './bytes.js';
export * from './environ.js';
export * from './errors.js';
export * from './file-wrapper.js';
export * from './input.js';
export * from './response.js';
export type * from './types.js';
