#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npx pconn` works from a checkout without a build.
import { register } from 'tsx/esm/api';

register();
if (process.argv[2] === 'serve') {
  const { serve } = await import('../src/main.ts');
  await serve().catch((error) => {
    process.stderr.write(`pconn: failed to start: ${error.message}\n`);
    process.exit(1);
  });
} else {
  await import('../src/cli/main.ts');
}
