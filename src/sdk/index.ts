/** pconn's typed SDK (`pconn/sdk`). */
export { PconnApiError, type Problem } from './pconn-api-error.ts';
export { PconnClient, type PconnClientOptions } from './pconn-client.ts';
