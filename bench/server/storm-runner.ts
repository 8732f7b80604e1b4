/** Runs bench/server/compile-storm.js in a fresh process and returns its result. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { StormLayout, StormMode, StormResult } from './compile-storm.js';

const STORM_JS = fileURLToPath(new URL('./compile-storm.js', import.meta.url));

export interface StormScenario {
  readonly layout: StormLayout;
  readonly perMs: number;
  /** Run a whole unmeasured storm on the same engine first (see compile-storm.ts). */
  readonly warmUp: boolean;
}

export async function runStorm(mode: StormMode, scenario: StormScenario, windowMs: number): Promise<StormResult> {
  const args = ['--expose-gc', STORM_JS, '--mode', mode, '--layout', scenario.layout, '--per-ms', String(scenario.perMs), '--window-ms', String(windowMs),
    ...(scenario.warmUp ? ['--warm-up'] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, args, { timeout: windowMs + 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as StormResult;
}
