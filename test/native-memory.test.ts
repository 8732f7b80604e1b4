// Releasing code really returns its memory: one JITModule per compiled call tree, freed on release.
import test from 'ava';
import { addonProfile, compileFunction, liveCodeCount, liveHandleCount, releaseHandle } from '../src/jit/native.js';
import { declare } from './native-helpers.js';

/** 100k with the release addon (seconds); a debug addon compiles ~10x slower, so 10k there. */
const CYCLES = addonProfile() === 'release' ? 100_000 : 10_000;
const WARM_UP = CYCLES / 20;
/** A leak of one 4 KiB code page per cycle would be 400 MB; even 100 bytes would be 10 MB (5 MB per half). */
const MAX_RSS_GROWTH = 8 * 1024 * 1024;

test(`${CYCLES / 1000}k compile+release cycles keep RSS flat and free every module`, (t) => {
  t.timeout(5 * 60_000);
  const fn = declare(2, 2, (b) => {
    b.emit('GetLocal', [0]);
    b.emit('GetLocal', [1]);
    b.emit('Mod');
    b.emit('Return');
  });
  const cycle = () => {
    const outcome = compileFunction(fn.input, 0, { verify: false });
    if (!outcome.ok || !releaseHandle(outcome.handle)) throw new Error('compile/release failed');
  };
  const handles = liveHandleCount();
  const code = liveCodeCount();
  for (let i = 0; i < WARM_UP; i++) cycle();
  // Two halves: a leak grows RSS in both, while a one-off step (V8 or the allocator sizing
  // a heap up on a loaded machine) lands in one; the smaller growth must stay small.
  const growths: number[] = [];
  for (let half = 0; half < 2; half++) {
    const before = process.memoryUsage().rss;
    for (let i = 0; i < CYCLES / 2; i++) cycle();
    growths.push(process.memoryUsage().rss - before);
  }
  const growth = Math.min(...growths);
  t.log(`RSS growth over each half of ${CYCLES} cycles: ${growths.map((g) => (g / 1024).toFixed(0)).join(' and ')} KiB`);
  t.true(growth < MAX_RSS_GROWTH / 2, `RSS grew by ${growths.join(' and ')} bytes`);
  t.is(liveHandleCount(), handles);
  t.is(liveCodeCount(), code);
});
