/**
 * The six workloads, each written three times with the same algorithm and output:
 * `atlas/NAME.atlas`, `lua/NAME.lua` and `js/NAME.js` (the JS one runs in QuickJS and in
 * plain Node.js alike). Sources are read from bench/peers/, not from dist/. The programs'
 * integers stay below 2^31, so the Lua versions compute in integers on both Lua engines
 * (fengari's integers are 32-bit) and print alike; the host-call function works in floats.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Language } from './engine.js';

/** A whole program, timed end to end in ms; its printed lines are compared between engines. */
export interface ProgramWorkload {
  readonly kind: 'program';
  readonly name: string;
  readonly title: string;
}

/**
 * A script that defines `entry(a, b)`; the host calls it `calls` times and the figure is ns
 * per call. The sum of the results is compared between engines.
 */
export interface HostCallWorkload {
  readonly kind: 'hostCall';
  readonly name: string;
  readonly title: string;
  readonly entry: string;
  readonly calls: number;
}

export type Workload = ProgramWorkload | HostCallWorkload;

export const WORKLOADS: readonly Workload[] = [
  { kind: 'program', name: 'loop', title: 'loop in a function called once (30M iterations)' },
  { kind: 'program', name: 'calls', title: 'small hot function called 10M times from a loop' },
  { kind: 'program', name: 'fib', title: 'fib(30)' },
  { kind: 'program', name: 'primes', title: 'primes below 300k by trial division' },
  { kind: 'program', name: 'strings', title: 'strings and arrays (300k labels, length histogram)' },
  { kind: 'hostCall', name: 'host-call', title: 'host → script call, ns', entry: 'mix', calls: 300_000 },
];

// This file runs as dist/bench/peers/workloads.js; the sources stay in bench/peers/.
const SOURCES = fileURLToPath(new URL('../../../bench/peers/', import.meta.url));
const EXTENSION: Record<Language, string> = { atlas: 'atlas', lua: 'lua', js: 'js' };

export function workloadSource(workload: Workload, language: Language): string {
  return readFileSync(`${SOURCES}${language}/${workload.name}.${EXTENSION[language]}`, 'utf8');
}
