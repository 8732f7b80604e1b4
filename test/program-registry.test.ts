import test from 'ava';
import { ProgramRegistry } from '../src/jit/program-registry.js';
import { fnOf, manyFunctions } from './helpers/programs.js';

test('one record per function, made on first sight and kept until its program is forgotten', (t) => {
  const registry = new ProgramRegistry();
  const one = manyFunctions(2);
  const two = manyFunctions(1);
  const first = registry.get(one);
  const a = first.track(fnOf(one, 'f0').fn);
  t.is(first.track(fnOf(one, 'f0').fn), a, 'the same record on every sighting');
  t.is(a.state, 'cold');
  t.is(a.calls, 0);
  t.is(a.end, fnOf(one, 'f0').end);
  first.track(fnOf(one, 'f1').fn);
  registry.get(two).track(fnOf(two, 'f0').fn);
  t.is(registry.functionCount(), 3);
  registry.delete(first);
  t.is(registry.functionCount(), 1);
  t.deepEqual([...registry.functions()].map((r) => r.program.bytecode), [two]);
  t.not(registry.get(one).id, first.id, 'a forgotten program seen again is a new version');
  registry.clear();
  t.is(registry.functionCount(), 0);
});
