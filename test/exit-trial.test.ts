// The exit trial (src/jit/exit-trial.ts): a loop whose native code keeps leaving is timed
// natively and interpreted, and keeps its code only if that is not clearly slower. The
// verdicts on a fake clock, and a whole run through the engine whose trial's windows pass.
import test from 'ava';
import { compile } from '../src/compiler/index.js';
import { ExitTrial, ROUNDS, WINDOW_ITERATIONS } from '../src/jit/exit-trial.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import { Vm } from '../src/vm/index.js';
import { leavesEvery } from './helpers/programs.js';

/** A clock the test moves: each reading advances it by `step` ms. */
function clock(step: number): { now: () => number; set(step: number): void } {
  let t = 0;
  let by = step;
  return { now: () => (t += by), set: (next) => (by = next) };
}

/**
 * Runs a whole trial on a clock the test moves: each native cycle covers 5 iterations and
 * each interpreted slice 64, and `msFor(round, phase)` says how long one takes in that round.
 * Returns the verdicts in order.
 */
function trialVerdicts(msFor: (round: number, phase: 'native' | 'interpreted') => number): string[] {
  const c = clock(0);
  const trial = new ExitTrial(c.now);
  const verdicts: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    c.set(msFor(round, 'native'));
    let native = trial.nativeRun(4);
    while (native === 'measuring') native = trial.nativeRun(4);
    verdicts.push(native);
    c.set(msFor(round, 'interpreted'));
    let interpreted = trial.interpretedSlice(64);
    while (interpreted === 'measuring') interpreted = trial.interpretedSlice(64);
    verdicts.push(interpreted);
  }
  return verdicts;
}

const ROUND_TRIP = ['interpret-now', 'native-now'];

test('interpreting clearly faster drops the code; otherwise it is kept', (t) => {
  const expect = (last: string) => [...ROUND_TRIP, ...ROUND_TRIP, ...ROUND_TRIP, 'interpret-now', last];
  // Native with exits: 5 iterations per 0.005 ms = 1 µs each; interpreted 64 per 0.032 ms = 0.5 µs.
  t.deepEqual(trialVerdicts((_, phase) => (phase === 'native' ? 0.005 : 0.032)), expect('drop'));
  // Interpreted 64 per 0.064 ms: the same 1 µs, not clearly faster.
  t.deepEqual(trialVerdicts((_, phase) => (phase === 'native' ? 0.005 : 0.064)), expect('keep'));
  // Interpreted 5 % faster: within the margin, kept.
  t.deepEqual(trialVerdicts((_, phase) => (phase === 'native' ? 0.005 : 0.0608)), expect('keep'));
  // One round spoilt by a burst of load on the native side does not decide it.
  t.deepEqual(trialVerdicts((round, phase) => (phase === 'native' ? (round === 2 ? 0.05 : 0.005) : 0.064)), expect('keep'));
});

test('each window measures at least WINDOW_ITERATIONS iterations, and a gap is left out of it', (t) => {
  const c = clock(0.001);
  const trial = new ExitTrial(c.now);
  let cycles = 0;
  while (trial.nativeRun(9) === 'measuring') {
    cycles++;
    // One long pause mid-window (the loop left, the host ran): neither its time nor its
    // iterations count, and the window goes on after it.
    if (cycles === 100) c.set(50);
    else if (cycles === 101) c.set(0.001);
  }
  // The window's last cycle filled it; of the others, the one that spanned the pause did not count.
  t.is(cycles * 10, Math.ceil(WINDOW_ITERATIONS / 10) * 10, `${cycles} cycles`);
  // 0.001 ms a cycle of 10 iterations, the 50 ms pause not in it.
  t.true(Math.abs(trial.nativeMs - 0.0001) < 1e-9, `${trial.nativeMs} ms per iteration`);
  t.true(trial.interpreting);
  // Outside its phase a call changes nothing.
  t.is(trial.nativeRun(9), 'measuring');
  // The interpreted windows at the native pace, so the verdict compares the paused window's figure.
  let verdict = trial.interpretedSlice(64);
  for (let i = 0; verdict === 'measuring' && i < 10_000; i++) verdict = trial.interpretedSlice(64);
  t.is(verdict, 'native-now');
});

test.serial('a loop leaving every fifth iteration runs its trial and prints what the interpreter prints', async (t) => {
  // 300k iterations: 1000 native runs to start the trial, then both windows, then the rest.
  const source = leavesEvery(5, 300_000);
  const bytecode = compile(source, 'trial.atlas');
  const expected: string[] = [];
  new Vm(bytecode, { stdout: (line) => expected.push(line) }).run();
  const engine = await JitEngine.create({ osrThreshold: 64, workers: 1 });
  try {
    // Warm: the loop's code is installed before the measured run enters it.
    new Vm(bytecode, { jit: engine, stdout: () => undefined }).run();
    await engine.whenIdle();
    const lines: string[] = [];
    new Vm(bytecode, { jit: engine, stdout: (line) => lines.push(line) }).run();
    t.deepEqual(lines, expected);
    const loop = engine.functions().find((f) => f.tier === 'osr');
    t.truthy(loop, JSON.stringify(engine.functions()));
    // Either verdict is right for some machine; what matters is that the trial ended with one.
    const outcome = loop!.state === 'deoptimized' ? `deoptimized: ${loop!.reason}` : loop!.state;
    t.regex(outcome, /^(compiled|deoptimized: deoptimized: interpreted it runs \d+ ns per iteration, natively with its exits \d+ ns)$/);
  } finally {
    await engine.close();
  }
});
