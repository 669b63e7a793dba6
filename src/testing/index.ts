// tsgi/testing: tools for app authors. A test client that runs an app with no socket, through the same environ
// builder and response state machine as the server, and a validator that checks both sides of the contract.
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
export {
  type ContractSide,
  checkEnviron,
  checkHeaders,
  checkStatus,
  type ValidatedApplication,
  ValidationError,
  type ValidatorOptions,
  validationErrors,
  validator,
} from './validator.js';
