// tsgi's public surface: the contract types and the entry points built on them.
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
export {
  byteStringToBytes,
  bytesToByteString,
  byteStringToUtf8,
  utf8ToByteString,
  buildEnviron,
  runApplication,
  BodyInput,
  bytesSource,
  fileWrapper,
  TsgiError,
  ContractError,
  ClientError,
  ServerFault,
} from './gateway/index.js';
export type { ResponseSink, RequestHead, ServerContext, BodySource } from './gateway/index.js';
export { createHttpServer, type HttpServerOptions } from './http/server.js';
export { loadApplication } from './runtimes/node/load-app.js';
export { createLogger, type Logger } from './log.js';
