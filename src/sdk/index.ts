/** pconn's typed SDK (`pconn/sdk`). */
export { type Problem, PconnApiError } from './pconn-api-error.ts';
export { PconnClient, type PconnClientOptions } from './pconn-client.ts';
