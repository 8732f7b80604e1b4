// When code that leaves early is dropped (src/jit/deopt-policy.ts): after enough runs, when
// most of them left early, unless its side exits each followed enough native back-edges.
import test from 'ava';
import { BACK_EDGES_PER_EXIT, dropReason, type RunHistory } from '../src/jit/deopt-policy.js';
import type { FunctionRef } from '../src/bytecode/index.js';

const fn: FunctionRef = { offset: 10, arity: 1, localCount: 1, name: 'f', paramOwnership: ['none'], paramNames: ['x'], returnOwnership: 'none' };

function history(fields: Partial<RunHistory>): RunHistory {
  return { nativeRuns: 0, leftEarly: 0, bailouts: 0, exitBackEdges: 0, entry: 10, fn, ...fields };
}

test('code is judged only after a thousand runs, and kept while most runs finish', (t) => {
  t.is(dropReason(history({ nativeRuns: 999, leftEarly: 999 }), false), undefined);
  t.is(dropReason(history({ nativeRuns: 1000, leftEarly: 500 }), false), undefined);
  t.regex(dropReason(history({ nativeRuns: 1000, leftEarly: 501 }), false) ?? '', /most runs leave early/);
});

test('side exits that each follow enough native back-edges pay for themselves; bail-outs never do', (t) => {
  const exits = 1000;
  t.is(dropReason(history({ nativeRuns: exits, leftEarly: exits, exitBackEdges: BACK_EDGES_PER_EXIT * exits }), false), undefined);
  t.regex(dropReason(history({ nativeRuns: exits, leftEarly: exits, exitBackEdges: BACK_EDGES_PER_EXIT * exits - 1 }), false) ?? '', /leave early/);
  // Half of the runs bailed out: paying side exits do not excuse them.
  t.regex(dropReason(history({ nativeRuns: exits, leftEarly: exits, bailouts: 600, exitBackEdges: 100 * exits }), false) ?? '', /leave early/);
});

test('an OSR entry that keeps bailing out is dropped early', (t) => {
  t.regex(dropReason(history({ entry: 40, nativeRuns: 5, leftEarly: 5, bailouts: 5 }), true) ?? '', /keep bailing out/);
  t.is(dropReason(history({ nativeRuns: 5, leftEarly: 5, bailouts: 5 }), true), undefined, 'a function entry is judged by the share');
});
