/**
 * Interpreter speed: ns per executed opcode on (a) a numeric loop inside a function and
 * (b) recursive fib, each beside the same algorithm in plain JS, measured in one run.
 * A third column runs the interpreter with a JIT hook that never compiles anything, to show
 * what the hook costs when it is installed.
 *
 * Executed-opcode counts are computed analytically from the programs' own instruction
 * ranges (decoded from the built bytecode), so the measured loop is the real one. They count
 * reference instructions: a pair the interpreter runs as one superinstruction counts as two.
 * The machine is often shared, so a calibration line reports how long a trivial JS loop
 * iteration takes at the time of the run.
 *
 * Run: `npm run bench:interp` (or `node dist/bench/interpreter.bench.js [--quick]`).
 */
import { type Bytecode, BytecodeBuilder, instructions } from '../src/bytecode/index.js';
import { type Value, type VmJitHook, Vm } from '../src/vm/index.js';

const QUICK = process.argv.includes('--quick');
const REPEATS = QUICK ? 3 : 7;
const LOOP_N = QUICK ? 200_000 : 2_000_000;
const FIB_N = QUICK ? 20 : 27;

function countInstructions(bytecode: Bytecode, from: number, to: number): number {
  let n = 0;
  for (const _ of instructions(bytecode.code, from, to)) n++;
  return n;
}

/** `fn sumsq(n) { var s = 0; var i = 0; while (i < n) { s = s + i * i; i = i + 1; } return s; }` */
function buildSumOfSquares(): { bytecode: Bytecode; opsFor: (n: number) => number } {
  const b = new BytecodeBuilder();
  let bodyStart = 0;
  let loopStart = 0;
  let loopEnd = 0;
  let fnEnd = 0;
  b.declareFunction('sumsq', 1, 3, (b) => {
    bodyStart = b.offset;
    b.emitConstant(0); // local 1: s
    b.emitConstant(0); // local 2: i
    const top = b.label();
    const exit = b.label();
    b.mark(top);
    loopStart = b.offset;
    b.emit('GetLocal', [2]);
    b.emit('GetLocal', [0]);
    b.emit('Less');
    b.jump('JumpIfFalse', exit);
    b.emit('GetLocal', [1]);
    b.emit('GetLocal', [2]);
    b.emit('GetLocal', [2]);
    b.emit('Mul');
    b.emit('Add');
    b.emit('SetLocal', [1]);
    b.emit('Pop');
    b.emit('GetLocal', [2]);
    b.emitConstant(1);
    b.emit('Add');
    b.emit('SetLocal', [2]);
    b.emit('Pop');
    b.jump('Loop', top);
    b.mark(exit);
    loopEnd = b.offset;
    b.emit('GetLocal', [1]);
    b.emit('Return');
    fnEnd = b.offset;
  });
  b.emit('Halt');
  const bytecode = b.build();
  const setup = countInstructions(bytecode, bodyStart, loopStart); // the two Constants
  const perIteration = countInstructions(bytecode, loopStart, loopEnd);
  const exitTest = 4; // GetLocal, GetLocal, Less, JumpIfFalse of the failing test
  const epilogue = countInstructions(bytecode, loopEnd, fnEnd);
  return { bytecode, opsFor: (n) => setup + n * perIteration + exitTest + epilogue };
}

/** `fn fib(n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }` */
function buildFib(): { bytecode: Bytecode; opsFor: (n: number) => number } {
  const b = new BytecodeBuilder();
  let bodyStart = 0;
  let recursive = 0;
  let fnEnd = 0;
  b.declareFunction('fib', 1, 1, (b) => {
    bodyStart = b.offset;
    const big = b.label();
    b.emit('GetLocal', [0]);
    b.emitConstant(2);
    b.emit('Less');
    b.jump('JumpIfFalse', big);
    b.emit('GetLocal', [0]);
    b.emit('Return');
    b.mark(big);
    recursive = b.offset;
    for (const k of [1, 2]) {
      b.emit('GetGlobal', [b.string('fib')]);
      b.emit('GetLocal', [0]);
      b.emitConstant(k);
      b.emit('Sub');
      b.emit('Call', [1]);
    }
    b.emit('Add');
    b.emit('Return');
    fnEnd = b.offset;
  });
  b.emit('Halt');
  const bytecode = b.build();
  const test = 4;
  const leafOps = countInstructions(bytecode, bodyStart, recursive); // test + `return n`
  const innerOps = test + countInstructions(bytecode, recursive, fnEnd);
  return {
    bytecode,
    opsFor: (n) => {
      // fib(n) makes fibJs(n+1) leaf calls (n < 2) and fibJs(n+1) - 1 inner calls.
      const leaves = fibJs(n + 1);
      return leaves * leafOps + (leaves - 1) * innerOps;
    },
  };
}

function sumOfSquaresJs(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = s + i * i;
  return s;
}

function fibJs(n: number): number {
  return n < 2 ? n : fibJs(n - 1) + fibJs(n - 2);
}

/** A hook that is asked on every call and never supplies a result. */
const idleHook: VmJitHook = {
  onCall: () => undefined,
  onSafepoint: () => {},
};

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/**
 * Median wall time in ns of each variant over REPEATS runs. All variants are warmed up first
 * and the repetitions are interleaved, so that neither JIT warm-up nor a burst of load on the
 * machine favours one of them.
 */
function timeAll(variants: ReadonlyArray<() => unknown>): { ns: number[]; results: unknown[] } {
  const results = variants.map((fn) => {
    fn();
    return fn();
  });
  const samples: number[][] = variants.map(() => []);
  for (let r = 0; r < REPEATS; r++) {
    variants.forEach((fn, i) => {
      const t0 = process.hrtime.bigint();
      fn();
      samples[i]!.push(Number(process.hrtime.bigint() - t0));
    });
  }
  return { ns: samples.map(median), results };
}

function vmFor(bytecode: Bytecode, hook?: VmJitHook): Vm {
  const vm = new Vm(bytecode, hook === undefined ? {} : { jit: hook });
  vm.run(); // installs the function global
  return vm;
}

interface Row {
  name: string;
  ops: number;
  interp: number;
  hooked: number;
  js: number;
}

function measure(name: string, bytecode: Bytecode, fnName: string, n: number, ops: number, js: () => number): Row {
  const plain = vmFor(bytecode);
  const hooked = vmFor(bytecode, idleHook);
  const { ns, results } = timeAll([() => plain.call(fnName, n), () => hooked.call(fnName, n), js]);
  const expected = results[2];
  for (const got of results.slice(0, 2) as Value[]) {
    if (got !== expected) throw new Error(`${name}: interpreter gave ${String(got)}, JS gave ${String(expected)}`);
  }
  return { name, ops, interp: ns[0]!, hooked: ns[1]!, js: ns[2]! };
}

/** ns per iteration of a trivial JS loop: a yardstick for how fast this machine is right now. */
function calibrationNs(): number {
  const n = 50_000_000;
  const loop = (): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s = (s + i) | 0;
    return s;
  };
  return timeAll([loop]).ns[0]! / n;
}

function main(): void {
  const loop = buildSumOfSquares();
  const fib = buildFib();
  const rows = [
    measure(`sum of i*i, i < ${LOOP_N}`, loop.bytecode, 'sumsq', LOOP_N, loop.opsFor(LOOP_N), () => sumOfSquaresJs(LOOP_N)),
    measure(`fib(${FIB_N})`, fib.bytecode, 'fib', FIB_N, fib.opsFor(FIB_N), () => fibJs(FIB_N)),
  ];
  console.log(`interpreter benchmark (median of ${REPEATS} interleaved runs after warm-up; node ${process.version})`);
  console.log(`calibration: a trivial JS loop takes ${calibrationNs().toFixed(2)} ns/iteration on this machine now`);
  console.log(
    ['program'.padEnd(26), 'opcodes'.padStart(11), 'interp ns/op'.padStart(13), 'hooked ns/op'.padStart(13),
      'JS ms'.padStart(9), 'interp ms'.padStart(10), 'interp/JS'.padStart(10)].join(' '),
  );
  for (const r of rows) {
    console.log(
      [
        r.name.padEnd(26),
        String(r.ops).padStart(11),
        (r.interp / r.ops).toFixed(2).padStart(13),
        (r.hooked / r.ops).toFixed(2).padStart(13),
        (r.js / 1e6).toFixed(2).padStart(9),
        (r.interp / 1e6).toFixed(2).padStart(10),
        `${(r.interp / r.js).toFixed(1)}x`.padStart(10),
      ].join(' '),
    );
  }
}

main();
