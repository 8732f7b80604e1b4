// Run in a worker thread by test/jit-stack.test.ts: compiles a deep recursion natively and
// calls it from this thread, whatever stack the thread was given; posts the result.
import { parentPort, workerData } from 'node:worker_threads';
import { compile } from '../../src/compiler/index.js';
import { JitEngine } from '../../src/jit/jit-engine.js';
import { Vm } from '../../src/vm/index.js';

const { depth } = workerData as { depth: number };
const bytecode = compile('fn deep(n: number) -> number { if (n <= 0) { return 0; } return deep(n - 1) + 1; }', 'deep.atlas');
const engine = await JitEngine.create({ compilationThreshold: 1_000_000_000, workers: 1 });
const vm = new Vm(bytecode, { jit: engine, stdout: () => {} });
vm.run();
const fn = bytecode.functions().find((f) => f.name === 'deep')!;
const compiled = engine.compileNowBlocking(bytecode, fn.offset);
const result = vm.call('deep', depth);
const { bailouts, jitExecutions } = engine.stats();
await engine.close();
parentPort!.postMessage({ compiled, result, bailouts, jitExecutions });
