// Functions that call the stdlib builtins stay exact with the JIT compiling everything:
// the calls leave native code (side exits) and run in the interpreter.
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';

const SOURCE = `
fn words(s: string) -> number { return len(split(s, " ")); }
fn score(n: number) -> number {
  var total = 0;
  var i = 0;
  while (i < n) {
    total = total + words("a b c") + i * 2 + jsonAsNumber(parseJSON("[1, 2.5]")[1]);
    i = i + 1;
  }
  return total;
}
fn pad(n: number) -> string { return padStart(toString(n), 6, "0"); }
var k = 0;
var acc = 0;
while (k < 300) { acc = acc + score(k); k = k + 1; }
print(acc);
print(pad(acc % 1000));
print(toString(unwrap_or(result_ok(Ok(acc / 7)), 0)));
print(substring("héllo", 0, indexOf("héllo", "l")));
`;

test('hot functions calling string, JSON and Result builtins print the same with the JIT at threshold 1', async (t) => {
  const bytecode = compile(SOURCE, 'stdlib-jit.atlas');
  const interpreted: string[] = [];
  new Vm(bytecode, { stdout: (line) => { interpreted.push(line); } }).run();
  t.deepEqual(interpreted, ['9156875', '000875', '1308125', 'hé']);
  const engine = await JitEngine.create({ workers: 1, compilationThreshold: 1 });
  try {
    new Vm(bytecode, { stdout: () => {}, jit: engine }).run();
    await engine.whenIdle();
    const jitted: string[] = [];
    new Vm(bytecode, { stdout: (line) => { jitted.push(line); }, jit: engine }).run();
    t.deepEqual(jitted, interpreted);
    t.true(engine.stats().compiledFunctions > 0);
  } finally {
    await engine.close();
  }
});
