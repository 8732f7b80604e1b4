import test from 'ava';
import { CodeCache, type CachedCode, type RemovalReason } from '../src/jit/code-cache.js';

function setup(budget: number) {
  const released: Array<[number, RemovalReason]> = [];
  const cache = new CodeCache({ byteBudget: budget, onRelease: (c, r) => released.push([c.handle, r]) });
  const code = (handle: number, size = 100, programId = 1): CachedCode => ({
    key: `${programId}:${handle}`, owner: undefined, programId, handle, codeSize: size, returnType: 'number',
  });
  return { cache, released, code };
}

test('hits and misses are counted and give the hit rate', (t) => {
  const { cache, code } = setup(1000);
  const entry = cache.insert(code(1));
  cache.touch(entry);
  cache.recordMiss();
  cache.touch(entry);
  t.is(entry.code.handle, 1);
  t.is(cache.hits, 2);
  t.is(cache.misses, 1);
  t.is(cache.hitRate, 2 / 3);
});

test('true LRU: the least recently used entry is evicted first and released once', (t) => {
  const { cache, released, code } = setup(300);
  const a = cache.insert(code(1));
  cache.insert(code(2));
  cache.insert(code(3));
  cache.touch(a); // 1 is now most recent; 2 is the LRU
  t.deepEqual(cache.keysByRecency(), ['1:1', '1:3', '1:2']);
  cache.insert(code(4));
  t.deepEqual(released, [[2, 'evicted']]);
  t.deepEqual(cache.keysByRecency(), ['1:4', '1:1', '1:3']);
  t.is(cache.byteSize, 300);
});

test('the budget counts real code sizes; an entry larger than the budget does not stay', (t) => {
  const { cache, released, code } = setup(250);
  cache.insert(code(1, 200));
  const big = cache.insert(code(2, 400));
  t.false(big.live);
  t.is(cache.size, 0);
  t.deepEqual(released.map(([h]) => h).sort(), [1, 2]);
  t.is(cache.byteSize, 0);
});

test('shrinking the budget evicts at once', (t) => {
  const { cache, released, code } = setup(1000);
  for (let i = 1; i <= 5; i++) cache.insert(code(i));
  cache.byteBudget = 200;
  t.is(cache.size, 2);
  t.deepEqual(released.map(([h]) => h), [1, 2, 3]);
});

test('invalidate drops exactly one program; invalidateAll and clear drop the rest', (t) => {
  const { cache, released, code } = setup(10_000);
  cache.insert(code(1, 100, 1));
  cache.insert(code(2, 100, 2));
  cache.insert(code(3, 100, 1));
  t.is(cache.invalidate(1), 2);
  t.deepEqual(cache.keysByRecency(), ['2:2']);
  t.is(cache.invalidateAll(), 1);
  t.is(cache.size, 0);
  t.deepEqual(released.map(([, r]) => r), ['invalidated', 'invalidated', 'invalidated']);
  t.is(cache.clear(), 0);
  t.is(released.length, 3, 'nothing is released twice');
});

test('a hit on the head and on the only entry keeps the list consistent', (t) => {
  const { cache, code } = setup(1000);
  const a = cache.insert(code(1));
  cache.touch(a);
  cache.touch(a);
  t.deepEqual(cache.keysByRecency(), ['1:1']);
  const b = cache.insert(code(2));
  cache.touch(b);
  cache.touch(a);
  t.deepEqual(cache.keysByRecency(), ['1:1', '1:2']);
});

test('invalid budgets are rejected', (t) => {
  t.throws(() => setup(-1), { instanceOf: RangeError });
  t.throws(() => setup(Number.NaN), { instanceOf: RangeError });
});
