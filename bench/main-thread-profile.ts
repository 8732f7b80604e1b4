/**
 * Where a child process's main thread spent its time, from V8's CPU profile (`--cpu-prof`):
 * the JIT's bookkeeping (self time in the engine's modules, dist/src/jit/, except the call
 * that runs native code) against native code and everything else. A sampling profile is a
 * share of the run, so unlike a wall-clock difference between two runs it holds on a loaded
 * machine.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The profile's parts this module reads (the `.cpuprofile` format). */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string } }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface MainThreadTime {
  /** Self time in the engine's modules, native code excluded. */
  readonly jitBookkeepingMicros: number;
  /** Self time of the call that runs native code (the native code itself). */
  readonly nativeMicros: number;
  readonly totalMicros: number;
}

/** The engine's modules, as the profile names their files. */
const JIT_MODULES = '/dist/src/jit/';
/** The function whose self time is native code running (`native/invoke.ts`). */
const NATIVE_RUN = 'invoke';

/** Node arguments that write the profiles of a run into a fresh folder; `read` sums the main thread's. */
export function profiledRun(): { readonly nodeArgs: readonly string[]; read(): MainThreadTime } {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-prof-'));
  return {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    read() {
      try {
        return mainThreadTime(readMainProfile(dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Node names profiles `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`; the main thread is id 0. */
function readMainProfile(dir: string): CpuProfile {
  const main = readdirSync(dir).find((file) => file.split('.')[4] === '0');
  if (main === undefined) throw new Error(`no main-thread profile in ${dir}`);
  return JSON.parse(readFileSync(join(dir, main), 'utf8')) as CpuProfile;
}

function mainThreadTime(profile: CpuProfile): MainThreadTime {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  let jit = 0;
  let native = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    total += micros;
    const frame = frames.get(id);
    if (frame === undefined || !frame.url.includes(JIT_MODULES)) return;
    if (frame.functionName === NATIVE_RUN) native += micros;
    else jit += micros;
  });
  return { jitBookkeepingMicros: jit, nativeMicros: native, totalMicros: total };
}
