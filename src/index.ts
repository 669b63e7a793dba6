// tsgi's public surface: the contract types and the entry points built on them.

export type { BodySource, RequestHead, ResponseSink, ServerContext } from './gateway/index.js';
export {
  BodyInput,
  buildEnviron,
  byteStringToBytes,
  byteStringToUtf8,
  bytesSource,
  bytesToByteString,
  ClientError,
  ContractError,
  fileWrapper,
  runApplication,
  ServerFault,
  TsgiError,
  utf8ToByteString,
} from './gateway/index.js';
export type {
  Application,
  Body,
  ByteString,
  Environ,
  Errors,
  FileLike,
  FileWrapper,
  Input,
  StartResponse,
  Write,
} from './gateway/types.js';
export { createHttpServer, type HttpServerOptions } from './http/server.js';
export { createLogger, type Logger } from './log.js';
export { loadApplication } from './runtimes/node/load-app.js';
export {
  type PythonApplication,
  type PythonAppOptions,
  pythonApp,
} from './runtimes/python/index.js';
export { type TargetKind, targetKind } from './supervisor/target.js';
