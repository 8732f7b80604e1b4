// The example server (examples/server): it answers /score with the same numbers as the
// interpreter, rejects bad requests with 4xx, serves /metrics in valid Prometheus text,
// and starts with one command.
import test from 'ava';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compile } from '../src/compiler/index.js';
import { Vm } from '../src/vm/index.js';
import type { AtlasArray } from '../src/vm/values.js';
import { startServer, type RunningServer } from '../examples/server/app.js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { clean } from '../examples/server/snapshot-metrics.js';
import { BadRequest, parseScoreRequest } from '../examples/server/score-request.js';

const APPLICATION = { amount: 12000, income: 5200, debt: 800, age: 37, late: 1, samples: 50 };
const SERVER_JS = fileURLToPath(new URL('../examples/server/server.js', import.meta.url));

/** What `assess` returns for the application when interpreted in this thread. */
function expectedScore(app: typeof APPLICATION): { score: number; meanScore: number } {
  const source = readFileSync(new URL('../../examples/server/scoring.atlas', import.meta.url), 'utf8');
  const vm = new Vm(compile(source, 'scoring.atlas'), { stdout: () => undefined });
  vm.run();
  const result = vm.call('assess', app.amount, app.income, app.debt, app.age, app.late, app.samples) as AtlasArray;
  return { score: result.elements[0] as number, meanScore: result.elements[1] as number };
}

async function post(server: RunningServer, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', body });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

// ── /metrics through a real parser of the Prometheus text format ─────────────────────

type Families = Map<string, ParsedFamily>;
type ParsedFamily = ReturnType<typeof parsePrometheusTextFormat>[number];

async function scrape(server: RunningServer): Promise<{ families: Families; contentType: string }> {
  const response = await fetch(`${server.url}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const families = new Map(parsePrometheusTextFormat(await response.text()).map((family) => [family.name, family]));
  return { families, contentType: response.headers.get('content-type') ?? '' };
}

/** The sample of `name` whose labels include `labels`. */
function sample(families: Families, name: string, labels: Record<string, string> = {}): ParsedFamily['metrics'][number] {
  const found = families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (found === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return found;
}

function sampleValue(families: Families, name: string, labels: Record<string, string> = {}): number {
  return Number(sample(families, name, labels).value);
}

// ── tests ─────────────────────────────────────────────────────────────────────────────

test('the remote-runtime server scores requests exactly like the interpreter, and /metrics parses', async (t) => {
  const server = await startServer({ port: 0, scorer: { mode: 'remote', jit: { workers: 1, compilationThreshold: 20 } } });
  t.teardown(() => server.close());
  const expected = expectedScore(APPLICATION);
  const first = await post(server, '/score', JSON.stringify(APPLICATION));
  t.is(first.status, 200);
  t.deepEqual(first.json, { ...expected, samples: APPLICATION.samples });
  // Enough requests for `score` to get hot and be compiled; the answers must not change.
  for (let i = 0; i < 5; i++) t.deepEqual((await post(server, '/score', JSON.stringify(APPLICATION))).json, first.json);

  const { families, contentType } = await scrape(server);
  t.regex(contentType, /^text\/plain; version=0\.0\.4/);
  const types = (type: string) => [...families.values()].filter((f) => f.type === type).map((f) => f.name);
  for (const name of ['atlas_jit_queue_depth', 'atlas_jit_in_flight', 'atlas_jit_workers', 'atlas_jit_cache_bytes', 'atlas_jit_cache_hit_ratio', 'atlas_jit_native_ratio', 'atlas_jit_worker_utilization_ratio']) {
    t.true(types('GAUGE').includes(name), name);
  }
  for (const name of ['atlas_jit_calls_total', 'atlas_jit_native_executions_total', 'atlas_jit_interpreter_fallbacks_total', 'atlas_jit_fallbacks_total', 'atlas_jit_compiles_not_installed_total', 'atlas_jit_osr_attempts_total']) {
    t.true(types('COUNTER').includes(name), name);
  }
  for (const name of ['atlas_jit_compile_duration_seconds', 'atlas_jit_queue_wait_seconds', 'atlas_jit_hot_to_installed_seconds', 'atlas_server_request_duration_seconds']) {
    t.true(types('HISTOGRAM').includes(name), name);
  }
  t.true(types('SUMMARY').includes('atlas_server_event_loop_delay_seconds'));
  // prom-client's default process and Node.js metrics.
  t.true(families.has('process_cpu_seconds_total') && families.has('nodejs_heap_size_used_bytes'));
  t.is(sampleValue(families, 'atlas_jit_workers'), 1);
  t.is(sampleValue(families, 'atlas_runtime_info', { mode: 'remote', jit: 'true' }), 1);
  t.is(sampleValue(families, 'atlas_runtime_operations_total', { op: 'call' }), 6);
  t.is(sampleValue(families, 'atlas_server_responses_total', { status: '200' }), 6);
  // The parser folds a labelled histogram's series into one set of buckets (dropping labels, _sum
  // and _count); before this scrape the only series is POST /score 200.
  const requests = sample(families, 'atlas_server_request_duration_seconds');
  t.is(requests.buckets?.['+Inf'], '6');
  const loop = sample(families, 'atlas_server_event_loop_delay_seconds');
  t.true(Number(loop.count) > 0 && Number(loop.sum) > 0);
  t.true(Number(loop.quantiles?.['0.99']) > 0);
  // The counters agree: every call of a tracked function ran natively or fell back.
  t.is(
    sampleValue(families, 'atlas_jit_native_executions_total') + sampleValue(families, 'atlas_jit_interpreter_fallbacks_total'),
    sampleValue(families, 'atlas_jit_calls_total') + sampleValue(families, 'atlas_jit_osr_attempts_total'),
  );
  for (const reason of ['non_numeric_arg', 'guard', 'bailout']) t.true(sampleValue(families, 'atlas_jit_fallbacks_total', { reason }) >= 0, reason);
  for (const reason of ['refused', 'failed', 'dropped']) t.true(sampleValue(families, 'atlas_jit_compiles_not_installed_total', { reason }) >= 0, reason);
  const stats = (await server.scorer.stats()).jit!;
  t.true(stats.compilations + stats.queueDepth + stats.inFlight >= 1, '`score` was compiled or is being compiled');
  // The histogram covers every compile since the start: its +Inf bucket is its count.
  const compile = sample(families, 'atlas_jit_compile_duration_seconds');
  t.is(compile.buckets?.['+Inf'], compile.count);
  t.is(Number(compile.count), sampleValue(families, 'atlas_jit_compilations_total'), 'one compile-time sample per compile that produced code');
});

test('the main-thread server without JIT gives the same answers and reports no JIT', async (t) => {
  const server = await startServer({ port: 0, scorer: { mode: 'local', jit: false } });
  t.teardown(() => server.close());
  const reply = await post(server, '/score', JSON.stringify(APPLICATION));
  t.deepEqual(reply.json, { ...expectedScore(APPLICATION), samples: APPLICATION.samples });
  const { families } = await scrape(server);
  t.is(sampleValue(families, 'atlas_runtime_info', { mode: 'local', jit: 'false' }), 1);
  t.false([...families.keys()].some((name) => name.startsWith('atlas_jit_')));
});

test('every score lies in the documented 300-850, extreme fields included', (t) => {
  const extremes = [
    { ...APPLICATION, income: 0 },
    { ...APPLICATION, income: 0, debt: 1e9, amount: 1e9, late: 50 },
    { ...APPLICATION, debt: 0, amount: 0, late: 0, age: 1e6 },
    { ...APPLICATION, income: 1e12 },
  ];
  for (const app of extremes) {
    const { score, meanScore } = expectedScore(app);
    for (const value of [score, meanScore]) t.true(value >= 300 && value <= 850, `${JSON.stringify(app)} scores ${value}`);
  }
});

test('bad requests get 4xx answers with a reason', async (t) => {
  const server = await startServer({ port: 0, scorer: { mode: 'remote', jit: false } });
  t.teardown(() => server.close());
  const cases: Array<[string, number, RegExp]> = [
    ['{', 400, /not valid JSON/],
    ['[1]', 400, /JSON object/],
    [JSON.stringify({ ...APPLICATION, amount: -5 }), 400, /"amount" must be a finite number/],
    [JSON.stringify({ ...APPLICATION, income: 'lots' }), 400, /"income"/],
    [JSON.stringify({ ...APPLICATION, samples: 0.5 }), 400, /"samples" must be an integer/],
    [JSON.stringify({ ...APPLICATION, pad: 'x'.repeat(20_000) }), 413, /exceeds/],
  ];
  for (const [body, status, message] of cases) {
    const reply = await post(server, '/score', body);
    t.is(reply.status, status, body.slice(0, 40));
    t.regex(String(reply.json.error), message);
  }
  const wrongMethod = await fetch(`${server.url}/score`);
  t.is(wrongMethod.status, 405);
  t.is(wrongMethod.headers.get('allow'), 'POST');
  t.is((await fetch(`${server.url}/healthz`, { method: 'DELETE' })).headers.get('allow'), 'GET, HEAD');
  const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(await head.text(), '');
  t.is((await fetch(`${server.url}/nowhere`)).status, 404);
  t.is((await post(server, '/score', JSON.stringify(APPLICATION))).status, 200, 'still serving');
});

test('a client that goes away mid-body costs a 400, not a 500 with a stack trace', async (t) => {
  const server = await startServer({ port: 0, scorer: { mode: 'local', jit: false } });
  t.teardown(() => server.close());
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write('POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"amount": ');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    // The server notices the abort on its own turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { families } = await scrape(server);
    t.is(sampleValue(families, 'atlas_server_responses_total', { status: '400' }), 1);
    t.throws(() => sampleValue(families, 'atlas_server_responses_total', { status: '500' }));
    t.deepEqual(logged, []);
  } finally {
    console.error = original;
  }
});

/** Posts `body` until it is answered 200 (a loaded machine may overrun a short budget once or twice). */
async function postUntilServed(server: RunningServer, body: string, attempts = 5): Promise<{ status: number; json: Record<string, unknown> }> {
  let reply = await post(server, '/score', body);
  for (let i = 1; i < attempts && reply.status === 503; i++) reply = await post(server, '/score', body);
  return reply;
}

// 100 000 samples take well over 50 ms interpreted on any machine; the default 50 take about 1 ms.
const HEAVY = JSON.stringify({ ...APPLICATION, samples: 100_000 });

test('requests over their time budget, waiting or running, get 503 with Retry-After; the next one is served', async (t) => {
  const server = await startServer({ port: 0, scorer: { mode: 'remote', jit: false, requestBudgetMs: 50 } });
  t.teardown(() => server.close());
  const replies = await Promise.all(Array.from({ length: 4 }, () => fetch(`${server.url}/score`, { method: 'POST', body: HEAVY })));
  for (const reply of replies) {
    t.is(reply.status, 503);
    t.is(reply.headers.get('retry-after'), '1');
    t.regex(((await reply.json()) as { error: string }).error, /longer than its 50 ms budget/);
  }
  // The answer goes out at the deadline; the runtime stops the running call a moment later.
  let interrupted = 0;
  for (let i = 0; i < 100 && interrupted === 0; i++) {
    interrupted = (await server.scorer.stats()).runtime.interrupted;
    if (interrupted === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.true(interrupted >= 1, 'the request running at its deadline was interrupted');
  const cheap = await postUntilServed(server, JSON.stringify(APPLICATION));
  t.is(cheap.status, 200);
  t.deepEqual(cheap.json, { ...expectedScore(APPLICATION), samples: APPLICATION.samples });
});

test('the main-thread server stops a request at its time budget too', async (t) => {
  const server = await startServer({ port: 0, scorer: { mode: 'local', jit: false, requestBudgetMs: 50 } });
  t.teardown(() => server.close());
  const heavy = await post(server, '/score', HEAVY);
  t.is(heavy.status, 503);
  t.regex(String(heavy.json.error), /longer than its 50 ms budget/);
  t.is((await postUntilServed(server, JSON.stringify(APPLICATION))).status, 200);
});

test('the event-loop endpoints report and reset the main thread\'s delay', async (t) => {
  const server = await startServer({ port: 0, scorer: { mode: 'local', jit: false } });
  t.teardown(() => server.close());
  await new Promise((resolve) => setTimeout(resolve, 100));
  const before = (await (await fetch(`${server.url}/debug/event-loop`)).json()) as Record<string, number>;
  t.is(before.resolutionMs, 1);
  t.true(before.samples! >= 1, JSON.stringify(before));
  t.true(before.p99Ms! >= before.p50Ms!);
  const resetAt = performance.now();
  t.is((await fetch(`${server.url}/debug/event-loop/reset`, { method: 'POST' })).status, 204);
  const after = (await (await fetch(`${server.url}/debug/event-loop`)).json()) as Record<string, number>;
  // At most one sample per millisecond since the reset: the earlier ones are gone.
  t.true(after.samples! <= performance.now() - resetAt + 1);
});

test('`npm run server` starts with one command and stops on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [SERVER_JS, '--port', '0', '--workers', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match !== null) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  t.regex(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.is(await (await fetch(`${url}/healthz`)).text(), 'ok\n');
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  t.is(await exited, 0);
});

test('the server refuses bad command lines', async (t) => {
  const child = spawn(process.execPath, [SERVER_JS, '--mode', 'cloud'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.is(code, 1);
  t.regex(stderr, /--mode must be remote or local/);
});

test('parseScoreRequest and clean (units)', (t) => {
  t.deepEqual(parseScoreRequest('{"amount":1,"income":2,"debt":3,"age":4,"late":0}'), { amount: 1, income: 2, debt: 3, age: 4, late: 0, samples: 200 });
  t.throws(() => parseScoreRequest('{"amount":1}'), { instanceOf: BadRequest, message: /"income"/ });
  t.is(clean(1143.833 * 1e-6), 0.001143833, 'no float noise from unit conversion');
  t.is(clean(Infinity), Infinity);
});
