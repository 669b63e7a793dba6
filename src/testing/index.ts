// tsgi/testing: tools for app authors. A test client that runs an app with no socket, through the same environ
// builder and response state machine as the server, and a validator that checks both sides of the contract.

export { checkEnviron, checkHeaders, checkStatus } from './checks.js';
export {
  makeEnviron,
  type ReportedError,
  type RequestBody,
  type RequestHeaders,
  TestClient,
  type TestClientOptions,
  type TestRequest,
  type TestResponse,
} from './client.js';
export { type ContractSide, ValidationError, validationErrors } from './validation-errors.js';
export { type ValidatedApplication, type ValidatorOptions, validator } from './validator.js';
