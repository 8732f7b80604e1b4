/**
 * `npm run server`: the example scoring server.
 *
 *   node dist/examples/server/server.js [--port N] [--host H] [--mode remote|local] [--no-jit]
 *                                       [--workers N] [--threshold N] [--cache-size BYTES]
 *                                       [--request-budget MS]
 *
 * Defaults: 127.0.0.1:8080, the remote runtime (a worker thread) with the JIT, 2000 ms per
 * request (waiting included; then 503 with Retry-After). `--mode local` interprets on the
 * server's main thread instead (for comparison). Try:
 *
 *   curl -s localhost:8080/score -d '{"amount":12000,"income":5200,"debt":800,"age":37,"late":1}'
 *   curl -s localhost:8080/metrics
 */
import { parseArgs } from 'node:util';
import type { JitConfig } from '../../src/jit/jit-config.js';
import { startServer } from './app.js';
import type { ScorerMode } from './scorer.js';

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
  return value;
}

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      mode: { type: 'string', default: 'remote' },
      'no-jit': { type: 'boolean', default: false },
      workers: { type: 'string' },
      threshold: { type: 'string' },
      'cache-size': { type: 'string' },
      'request-budget': { type: 'string' },
    },
  });
  if (values.mode !== 'remote' && values.mode !== 'local') throw new Error(`--mode must be remote or local, got ${values.mode}`);
  const workers = integer('workers', values.workers);
  const threshold = integer('threshold', values.threshold);
  const cacheSize = integer('cache-size', values['cache-size']);
  const requestBudgetMs = integer('request-budget', values['request-budget']);
  if (requestBudgetMs === 0) throw new Error('--request-budget must be at least 1 ms');
  const jit: JitConfig | false = values['no-jit'] ? false : {
    ...(workers === undefined ? {} : { workers }),
    ...(threshold === undefined ? {} : { compilationThreshold: threshold }),
    ...(cacheSize === undefined ? {} : { cacheSizeLimit: cacheSize }),
  };
  const scorer = { mode: values.mode as ScorerMode, jit, ...(requestBudgetMs === undefined ? {} : { requestBudgetMs }) };
  return { host: values.host, port: integer('port', values.port)!, scorer };
}

async function main(): Promise<void> {
  const config = options();
  const server = await startServer(config);
  const jit = config.scorer.jit === false ? 'without JIT' : 'with JIT';
  console.log(`atlas-jit example server listening on ${server.url} (${config.scorer.mode} runtime, ${jit})`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
