// The module-resolution hook behind module-log.ts (Node runs hooks on a thread of their own;
// the log is a file, so the test reads it after the child process ended).
import { appendFileSync } from 'node:fs';
import type { ResolveHook } from 'node:module';

const LOG = process.env.ATLAS_TEST_MODULE_LOG;

export const resolve: ResolveHook = async (specifier, context, next) => {
  const resolved = await next(specifier, context);
  if (LOG !== undefined) appendFileSync(LOG, `${resolved.url}\n`);
  return resolved;
};
