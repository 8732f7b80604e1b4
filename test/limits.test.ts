// What would exceed JavaScript's own limits (its stack, its string length) is a typed Atlas
// error with a kind and a span, never a RangeError or a host stack trace.
import test from 'ava';
import { BytecodeBuilder } from '../src/bytecode/index.js';
import { compile, CompileError } from '../src/compiler/index.js';
import { AtlasOption, AtlasRuntimeError, type Value, Vm } from '../src/vm/index.js';

test('types nested thousands deep are a CompileError, not a stack overflow', (t) => {
  const functionTypes = `let f: ${'('.repeat(3000)}number${') -> number'.repeat(3000)} = 1;`;
  const arrayTypes = `let a: number${'[]'.repeat(8000)} = [];`;
  for (const source of [functionTypes, arrayTypes]) {
    const error = t.throws(() => compile(source, 'deep.atlas'), { instanceOf: CompileError });
    t.regex(error?.message ?? '', /nested too deeply/);
    t.is(error?.line, 1);
  }
});

/** A program comparing globals `a` and `b` with `==`, run with them set from the host. */
function compareGlobals(a: Value, b: Value): AtlasRuntimeError | Value | undefined {
  const builder = new BytecodeBuilder();
  builder.emit('GetGlobal', [builder.string('a')]);
  builder.emit('GetGlobal', [builder.string('b')]);
  builder.emit('Equal');
  builder.emit('Halt');
  const vm = new Vm(builder.build(), { stdout: () => {} });
  vm.setGlobal('a', a);
  vm.setGlobal('b', b);
  try {
    return vm.run();
  } catch (error) {
    if (error instanceof AtlasRuntimeError) return error;
    throw error;
  }
}

test('== on values nested deeper than the JS stack is an AtlasRuntimeError at the Equal', (t) => {
  const nest = (depth: number): Value => {
    let v: Value = 0;
    for (let i = 0; i < depth; i++) v = AtlasOption.some(v);
    return v;
  };
  t.is(compareGlobals(nest(100), nest(100)), true, 'ordinary depths compare');
  const error = compareGlobals(nest(100_000), nest(100_000));
  if (!(error instanceof AtlasRuntimeError)) return t.fail(`expected an AtlasRuntimeError, got ${String(error)}`);
  t.is(error.kind, 'StackOverflow');
  t.is(error.offset, 6, 'the offset of the Equal');
});

test('a string doubled past the longest JS string is an AtlasRuntimeError', (t) => {
  const source = 'var s = "ab";\nwhile (true) {\n  s = s + s;\n}\n';
  const error = t.throws(() => new Vm(compile(source, 'double.atlas'), { stdout: () => {} }).run(), { instanceOf: AtlasRuntimeError });
  t.is(error?.kind, 'Unsupported');
  t.regex(error?.message ?? '', /string longer/);
});
