// Small Atlas programs for the engine tests, compiled from source.
import { compile } from '../../src/compiler/index.js';
import { functionEnd, type Bytecode, type FunctionRef } from '../../src/bytecode/index.js';

export interface ProgramFunction {
  readonly bytecode: Bytecode;
  readonly fn: FunctionRef;
  readonly offset: number;
  readonly end: number;
}

export function program(source: string): Bytecode {
  return compile(source, 'test.atlas');
}

export function fnOf(bytecode: Bytecode, name: string): ProgramFunction {
  const fn = bytecode.functions().find((f) => f.name === name);
  if (fn === undefined) throw new Error(`no function ${name}`);
  return { bytecode, fn, offset: fn.offset, end: functionEnd(bytecode, fn) };
}

/** `count` distinct two-argument numeric functions f0..f{count-1}. */
export function manyFunctions(count: number): Bytecode {
  const decls = Array.from({ length: count }, (_, i) => `fn f${i}(a: number, b: number) -> number { return a * b + ${i}; }`);
  return program(decls.join('\n'));
}

/**
 * Three functions that get hot one after another: three loops of `iterations` calls each,
 * at top level (`print(s)` at the end), or inside `fn main() -> number` (`return s`).
 */
export function threeHotLoops(iterations: number, inMain = false): string {
  const loops = ['f', 'g', 'h'].map((name) => `while (i < ${iterations}) { s = s + ${name}(i); i = i + 1; }`).join('\ni = 0;\n');
  const body = `var s = 0;\nvar i = 0;\n${loops}\n`;
  return [
    'fn f(x: number) -> number { return x + 1; }',
    'fn g(x: number) -> number { return x * 2; }',
    'fn h(x: number) -> number { return x - 3; }',
    inMain ? `fn main() -> number {\n${body}return s;\n}` : `${body}print(s);`,
  ].join('\n');
}

/**
 * Atlas source where nothing can compile: `label` is hot and starts with a string constant,
 * and the loop around it calls it on every path and prints after it, so both are refused.
 */
export function stringsOnly(iterations: number): string {
  return `
fn label(n: number) -> string {
    var prefix = "item-";
    if (n % 3 == 0) { prefix = "sku-"; }
    return prefix + str(n);
}
var total = 0;
var n = 0;
while (n < ${iterations}) {
    total = total + len(label(n));
    n = n + 1;
}
print(total);
`;
}

/**
 * A script's top-level loop of `iterations` that calls a string function (never native) every
 * `every`-th iteration: its OSR'd code leaves to the interpreter there and comes back at the
 * next back-edge (the exit benchmark, the OSR tests and the exit trial's).
 */
export function leavesEvery(every: number, iterations: number): string {
  return `
fn tag(n: number) -> string {
    return "t" + str(n % 97);
}
var acc = 0;
var chars = 0;
var i = 0;
while (i < ${iterations}) {
    acc = (acc * 31 + i) % 1000003;
    if (i % ${every} == 0) {
        chars = chars + len(tag(i));
    }
    i = i + 1;
}
print(acc);
print(chars);
`;
}

/**
 * A script's top-level loop of `iterations` calling a small function: the shape whose run
 * length decides whether loading the JIT pays (the never-slower benchmark; the compile
 * workers' test).
 */
export function callsFromLoop(iterations: number): string {
  return `
fn step(x: number, i: number) -> number {
    return (x * 31 + i) % 1000003;
}
var acc = 0;
var i = 0;
while (i < ${iterations}) {
    acc = step(acc, i);
    i = i + 1;
}
print(acc);
`;
}
