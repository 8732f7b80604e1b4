/**
 * HTTP load with autocannon (from npm), loaded dynamically so that the rest of the project
 * builds without it. Only 127.0.0.1 targets are accepted.
 */

export interface LoadOptions {
  readonly url: string;
  readonly body: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Requests per second over all connections; as fast as the server answers when absent. */
  readonly rate?: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly requests: number;
  /** Connection errors, timeouts and non-2xx answers. */
  readonly failures: number;
}

/** The part of autocannon's result this benchmark reads. */
interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

async function loadAutocannon(): Promise<Autocannon> {
  const name = 'autocannon'; // a variable: no type declarations needed at build time
  try {
    const module = (await import(name)) as { default: Autocannon };
    return module.default;
  } catch (error) {
    throw new Error(`the server benchmark needs autocannon (npm install --save-dev autocannon): ${String(error)}`);
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`load is only generated against 127.0.0.1, not ${url.hostname}`);
  const autocannon = await loadAutocannon();
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSeconds,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
  });
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
