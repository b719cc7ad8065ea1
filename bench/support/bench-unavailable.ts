/** A measure that cannot run on this machine: `npm run bench` prints why and exits non-zero. */
export class BenchUnavailable extends Error {}
