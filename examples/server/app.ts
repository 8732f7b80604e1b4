/**
 * The example HTTP server (node:http): every `POST /score` scores a loan application with
 * the Atlas program through the configured scorer; `GET /metrics` serves the figures in
 * Prometheus text format (through prom-client, `server-metrics.ts`).
 *
 *   POST /score                 JSON application → { score, meanScore, samples }
 *   GET  /metrics               Prometheus text
 *   GET  /healthz               "ok"
 *   GET  /debug/event-loop      the main thread's event-loop delay since the last reset, JSON
 *   POST /debug/event-loop/reset
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AtlasInterrupted, RemoteRuntimeError } from '../../src/remote/index.js';
import { AtlasRuntimeError } from '../../src/vm/index.js';
import { EventLoopMonitor } from './event-loop-monitor.js';
import { BadRequest, parseScoreRequest } from './score-request.js';
import { createScorer, RequestBudgetExceeded, type Scorer, type ScorerOptions } from './scorer.js';
import { ServerMetrics } from './server-metrics.js';

export interface ServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly scorer: ScorerOptions;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly scorer: Scorer;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const scorer = await createScorer(options.scorer);
  const monitor = new EventLoopMonitor();
  const metrics = new ServerMetrics({ mode: options.scorer.mode, stats: () => scorer.stats(), eventLoop: monitor });
  const routes: Record<string, (request: IncomingMessage) => Promise<Reply>> = {
    'POST /score': async (request) => {
      const application = parseScoreRequest(await readBody(request));
      const result = await scorer.score(application);
      return json(200, { ...result, samples: application.samples });
    },
    'GET /metrics': async () => {
      return { status: 200, type: metrics.contentType, body: await metrics.render() };
    },
    'GET /healthz': async () => ({ status: 200, type: 'text/plain', body: 'ok\n' }),
    'GET /debug/event-loop': async () => json(200, monitor.snapshot()),
    'POST /debug/event-loop/reset': async () => {
      monitor.reset();
      return { status: 204, type: 'text/plain', body: '' };
    },
  };

  const server = createServer((request, response) => {
    const start = performance.now();
    void handle(routes, request).then((reply) => {
      send(response, request, reply);
      metrics.observeRequest(request.method ?? 'GET', routeOf(routes, request), reply.status, (performance.now() - start) / 1e3);
    });
  });
  try {
    await listen(server, options.host ?? '127.0.0.1', options.port ?? 8080);
  } catch (error) {
    monitor.stop();
    metrics.stop();
    await scorer.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    scorer,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      monitor.stop();
      metrics.stop();
      await scorer.close();
    },
  };
}

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  /** The methods a 405 answer names (its `Allow` header). */
  readonly allow?: string;
  /** Seconds a 503 asks the client to wait before trying again (its `Retry-After` header). */
  readonly retryAfter?: number;
}

function json(status: number, value: unknown): Reply {
  return { status, type: 'application/json', body: JSON.stringify(value) };
}

async function handle(routes: Record<string, (request: IncomingMessage) => Promise<Reply>>, request: IncomingMessage): Promise<Reply> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  // HEAD is GET without the body (`send` leaves it out).
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const route = routes[`${method} ${path}`];
  try {
    if (route !== undefined) return await route(request);
    const allowed = Object.keys(routes).filter((key) => key.endsWith(` ${path}`)).map((key) => key.split(' ')[0]!);
    if (allowed.length === 0) throw new HttpError(404, 'not found');
    if (allowed.includes('GET')) allowed.push('HEAD');
    return { ...json(405, { error: 'method not allowed' }), allow: allowed.join(', ') };
  } catch (error) {
    return errorReply(error);
  }
}

/** The route a request matched, as a metric label: its path if it is one of ours, else `other` (labels stay few). */
function routeOf(routes: Record<string, unknown>, request: IncomingMessage): string {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  return Object.keys(routes).some((key) => key.endsWith(` ${path}`)) ? path : 'other';
}

/** How each failure is answered: the client's fault (4xx), the runtime's state (503), or ours. */
function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) return json(error.status, { error: error.message });
  if (error instanceof BodyAborted) return json(400, { error: error.message });
  if (error instanceof BadRequest) return json(400, { error: error.message });
  if (error instanceof AtlasRuntimeError) return json(422, { error: error.message, kind: error.kind, span: error.span ?? null });
  if (error instanceof RequestBudgetExceeded) return { ...json(503, { error: error.message }), retryAfter: 1 };
  if (error instanceof AtlasInterrupted || error instanceof RemoteRuntimeError) return json(503, { error: error.message });
  console.error(error);
  return json(500, { error: 'internal error' });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped (node:http discards it once the 413 is sent).
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, `the body exceeds ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A client that goes away mid-body is the client's doing: no 500, no stack trace.
    request.on('aborted', () => reject(new BodyAborted()));
    request.on('error', (error) => reject(request.destroyed ? new BodyAborted() : error));
  });
}

function send(response: ServerResponse, request: IncomingMessage, reply: Reply): void {
  if (response.destroyed) return;
  response.writeHead(reply.status, {
    'content-type': reply.type, 'content-length': Buffer.byteLength(reply.body),
    ...(reply.allow === undefined ? {} : { allow: reply.allow }),
    ...(reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) }),
  });
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}

/** The request body stopped before its end: the client closed the connection. */
class BodyAborted extends Error {
  constructor() {
    super('the request body was cut off');
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
