/**
 * How fast can a bytecode interpreter written in JavaScript dispatch at all? Issue 20 asks the
 * interpreter to match wasmoon (Lua's C interpreter compiled to WebAssembly) with `--no-jit`.
 * This benchmark measures the floor of the design under our interpreter: a switch over
 * pre-decoded words in one function, the shape V8 compiles best.
 *
 * The workload is the peers' numeric loop (bench/peers/atlas/loop.atlas, 30M iterations of
 * `sum = (sum + i * 3) % 1000000007; i = i + 1;`). Our interpreter runs it in 6 dispatches per
 * iteration (its superinstructions), Lua 5.4 in about as many. Beside both run two lean
 * interpreters of the same 6 fused instructions, with nothing else in them (no frames, no
 * error offsets, no JIT hook, no slices):
 * - boxed: the value stack is a JS array, as in src/vm/interpreter.ts;
 * - unboxed: the value stack is a Float64Array with a kind byte per slot, the design the
 *   issue proposes (numbers never allocate).
 * If the lean loops are not clearly faster than wasmoon, no tuning of ours can be.
 *
 * Run: `npm run bench:floor` or `node dist/bench/peers/dispatch-floor.bench.js [--quick]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, median, printTable, QUICK } from '../harness.js';
import { atlasEngine } from './atlas-engine.js';
import type { PeerEngine } from './engine.js';
import { plainJsEngine } from './plain-js-engine.js';
import { wasmoonEngine } from './wasmoon-engine.js';

const ROUNDS = QUICK ? 2 : 7;
const ITERATIONS = 30_000_000;
const EXPECTED = '945550007';

/** The lean interpreters' instructions; a word is `op | operand << 8`, like dispatch.ts's. */
const enum Lean {
  /** Push locals i and j (operand i | j << 8). */
  GetLocalGetLocal = 1,
  /** Top of the stack times constant k. */
  MulConstant,
  /** Pop two, push their sum. */
  Add,
  /** Top of the stack modulo constant k. */
  ModConstant,
  /** Pop into local k. */
  SetLocalPop,
  /**
   * Local i += 1; jump back by the operand while local i < constant k, else on. Its next
   * word holds i | k << 8 (as a fused instruction of ours reads its later words).
   */
  IncrementLoop,
  Return,
}

const CONSTANTS: readonly number[] = [3, 1_000_000_007, ITERATIONS];
const CODE = Int32Array.from([
  Lean.GetLocalGetLocal | ((0 | (1 << 8)) << 8),
  Lean.MulConstant | (0 << 8),
  Lean.Add,
  Lean.ModConstant | (1 << 8),
  Lean.SetLocalPop | (0 << 8),
  Lean.IncrementLoop | (5 << 8),
  1 | (2 << 8),
  Lean.Return,
]);

class LeanTypeError extends Error {}

/**
 * The boxed lean loop: values in a JS array, number checks with `typeof`, as ours does.
 * `runUnboxed` repeats its loop head on purpose: each layout gets its own whole loop, so
 * that V8 compiles each as one function with no helper calls between them and the timing.
 */
function runBoxed(code: Int32Array, constants: readonly number[]): number {
  const stack: unknown[] = new Array<unknown>(16).fill(null);
  stack[0] = 0;
  stack[1] = 0;
  const base = 0;
  let sp = 2;
  let ip = 0;
  for (;;) {
    const word = code[ip]!;
    const k = word >> 8;
    switch (word & 0xff) {
      case Lean.GetLocalGetLocal:
        stack[sp] = stack[base + (k & 0xff)];
        stack[sp + 1] = stack[base + (k >> 8)];
        sp += 2;
        ip++;
        break;
      case Lean.MulConstant:
      case Lean.ModConstant: {
        const a = stack[sp - 1];
        const b = constants[k]!;
        if (typeof a !== 'number') throw new LeanTypeError();
        const r = (word & 0xff) === Lean.MulConstant ? a * b : a % b;
        if (!Number.isFinite(r)) throw new LeanTypeError();
        stack[sp - 1] = r;
        ip++;
        break;
      }
      case Lean.Add: {
        const a = stack[sp - 2];
        const b = stack[sp - 1];
        if (typeof a !== 'number' || typeof b !== 'number') throw new LeanTypeError();
        const r = a + b;
        if (!Number.isFinite(r)) throw new LeanTypeError();
        stack[sp - 2] = r;
        sp--;
        ip++;
        break;
      }
      case Lean.SetLocalPop:
        stack[base + k] = stack[--sp];
        ip++;
        break;
      case Lean.IncrementLoop: {
        const operands = code[ip + 1]!;
        const slot = base + (operands & 0xff);
        const i = stack[slot];
        if (typeof i !== 'number') throw new LeanTypeError();
        stack[slot] = i + 1;
        ip = i + 1 < constants[operands >> 8]! ? ip - k : ip + 2;
        break;
      }
      default:
        return stack[0] as number;
    }
  }
}

/** Kind bytes of the unboxed stack (only numbers occur here; the check is the point). */
const NUMBER = 1;

/** The unboxed lean loop: numbers in a Float64Array, a kind byte per slot checked instead of `typeof`. */
function runUnboxed(code: Int32Array, constants: readonly number[]): number {
  const values = new Float64Array(16);
  const kinds = new Uint8Array(16);
  kinds[0] = kinds[1] = NUMBER;
  const base = 0;
  let sp = 2;
  let ip = 0;
  for (;;) {
    const word = code[ip]!;
    const k = word >> 8;
    switch (word & 0xff) {
      case Lean.GetLocalGetLocal: {
        const i = base + (k & 0xff);
        const j = base + (k >> 8);
        values[sp] = values[i]!;
        kinds[sp] = kinds[i]!;
        values[sp + 1] = values[j]!;
        kinds[sp + 1] = kinds[j]!;
        sp += 2;
        ip++;
        break;
      }
      case Lean.MulConstant:
      case Lean.ModConstant: {
        if (kinds[sp - 1] !== NUMBER) throw new LeanTypeError();
        const a = values[sp - 1]!;
        const b = constants[k]!;
        const r = (word & 0xff) === Lean.MulConstant ? a * b : a % b;
        if (!Number.isFinite(r)) throw new LeanTypeError();
        values[sp - 1] = r;
        ip++;
        break;
      }
      case Lean.Add: {
        if (kinds[sp - 2] !== NUMBER || kinds[sp - 1] !== NUMBER) throw new LeanTypeError();
        const r = values[sp - 2]! + values[sp - 1]!;
        if (!Number.isFinite(r)) throw new LeanTypeError();
        values[sp - 2] = r;
        sp--;
        ip++;
        break;
      }
      case Lean.SetLocalPop:
        sp--;
        values[base + k] = values[sp]!;
        kinds[base + k] = kinds[sp]!;
        ip++;
        break;
      case Lean.IncrementLoop: {
        const operands = code[ip + 1]!;
        const slot = base + (operands & 0xff);
        if (kinds[slot] !== NUMBER) throw new LeanTypeError();
        const i = values[slot]! + 1;
        values[slot] = i;
        ip = i < constants[operands >> 8]! ? ip - k : ip + 2;
        break;
      }
      default:
        return values[0]!;
    }
  }
}

/**
 * What a tier that translates bytecode to JavaScript would give instead of dispatching it: the
 * same lean code turned into one function, stack slots as variables, the same number checks,
 * a `switch` over basic blocks for the jumps. V8 then compiles the program itself.
 */
function translateToJs(code: Int32Array, constants: readonly number[]): typeof runBoxed {
  const starts = new Set<number>([0]);
  code.forEach((word, ip) => {
    if ((word & 0xff) === Lean.IncrementLoop) starts.add(ip - (word >> 8)).add(ip + 2);
  });
  const lines = ['let s0 = 0, s1 = 0, s2, s3, s4;', 'let block = 0;', 'for (;;) switch (block) {'];
  const number = (v: string) => `if (typeof ${v} !== 'number') throw new LeanTypeError();`;
  const finite = (v: string) => `if (!Number.isFinite(${v})) throw new LeanTypeError();`;
  let sp = 2;
  for (let ip = 0; ip < code.length; ip++) {
    if (starts.has(ip)) lines.push(`case ${ip}:`);
    const word = code[ip]!;
    const k = word >> 8;
    switch (word & 0xff) {
      case Lean.GetLocalGetLocal:
        lines.push(`s${sp} = s${k & 0xff}; s${sp + 1} = s${k >> 8};`);
        sp += 2;
        break;
      case Lean.MulConstant:
      case Lean.ModConstant:
        lines.push(number(`s${sp - 1}`), `s${sp - 1} = s${sp - 1} ${(word & 0xff) === Lean.MulConstant ? '*' : '%'} ${constants[k]};`, finite(`s${sp - 1}`));
        break;
      case Lean.Add:
        lines.push(number(`s${sp - 2}`), number(`s${sp - 1}`), `s${sp - 2} = s${sp - 2} + s${sp - 1};`, finite(`s${sp - 2}`));
        sp--;
        break;
      case Lean.SetLocalPop:
        lines.push(`s${k} = s${--sp};`);
        break;
      case Lean.IncrementLoop: {
        const operands = code[++ip]!;
        const i = `s${operands & 0xff}`;
        lines.push(number(i), `${i} = ${i} + 1;`, `if (${i} < ${constants[operands >> 8]}) { block = ${ip - 1 - k}; break; }`);
        break;
      }
      default:
        lines.push('return s0;');
    }
  }
  lines.push('}');
  const run = new Function('LeanTypeError', lines.join('\n')) as (error: typeof LeanTypeError) => number;
  return () => run(LeanTypeError);
}

/** A lean loop as a peer engine, so that it is timed and checked like the others. */
function leanEngine(name: string, run: typeof runBoxed): PeerEngine {
  return {
    name,
    language: 'atlas',
    runProgram: async () => [String(run(CODE, CONSTANTS))],
    hostFunction: () => Promise.reject(new Error(`${name} has no host calls`)),
  };
}

const ENGINES: readonly PeerEngine[] = [
  atlasEngine('interpreter'),
  leanEngine('lean switch, boxed stack', runBoxed),
  leanEngine('lean switch, unboxed stack', runUnboxed),
  leanEngine('lean code translated to JS', translateToJs(CODE, CONSTANTS)),
  wasmoonEngine,
  plainJsEngine,
];

const EXTENSION: Record<PeerEngine['language'], string> = { atlas: 'atlas', lua: 'lua', js: 'js' };

function loopSource(engine: PeerEngine): string {
  const file = new URL(`../../../bench/peers/${engine.language}/loop.${EXTENSION[engine.language]}`, import.meta.url);
  return readFileSync(fileURLToPath(file), 'utf8');
}

async function main(): Promise<void> {
  console.log(machine());
  const times = new Map<PeerEngine, number[]>(ENGINES.map((e) => [e, []]));
  // Round 0 warms every engine up and is not timed; rounds interleave the engines.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const engine of ENGINES) {
      const t0 = performance.now();
      const output = await engine.runProgram(loopSource(engine));
      const ms = performance.now() - t0;
      if (output.join('\n') !== EXPECTED) throw new Error(`${engine.name} printed ${JSON.stringify(output)}, expected ${EXPECTED}`);
      if (round > 0) times.get(engine)!.push(ms);
    }
  }
  const wasmoon = median(times.get(wasmoonEngine)!);
  const rows = ENGINES.map((engine) => {
    const all = times.get(engine)!;
    const ms = median(all);
    return [
      engine.name,
      ms.toFixed(0),
      `${Math.min(...all).toFixed(0)}–${Math.max(...all).toFixed(0)}`,
      ((ms * 1e6) / ITERATIONS).toFixed(1),
      ((ms * 1e6) / ITERATIONS / 6).toFixed(2),
      `${(ms / wasmoon).toFixed(2)}×`,
    ];
  });
  printTable(
    `Dispatch floor: the peers' numeric loop, ${ITERATIONS / 1e6}M iterations, median of ${ROUNDS} interleaved rounds`,
    ['engine', 'ms', 'range', 'ns / iteration', 'ns / dispatch (6)', '÷ wasmoon'],
    rows,
  );
}

await main();
