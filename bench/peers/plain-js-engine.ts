/**
 * Plain JavaScript on this Node.js (V8 with its JIT): the same JS source QuickJS runs, made
 * a function with `print` as its parameter and called, the baseline every ratio refers to.
 */
import type { HostFunction, PeerEngine } from './engine.js';

type Print = (...values: unknown[]) => void;

/** The source as a function of `print` that returns the value of `result` (an expression). */
function asFunction(source: string, result: string): (print: Print) => unknown {
  return new Function('print', `${source}\nreturn ${result};`) as (print: Print) => unknown;
}

export const plainJsEngine: PeerEngine = {
  name: 'plain JS',
  language: 'js',
  async runProgram(source) {
    const lines: string[] = [];
    asFunction(source, 'undefined')((...values) => lines.push(values.map(String).join(' ')));
    return lines;
  },
  async hostFunction(source, name): Promise<HostFunction> {
    const fn = asFunction(source, name)(() => undefined);
    if (typeof fn !== 'function') throw new Error(`plain JS: ${name} is not a function`);
    return { call: fn as HostFunction['call'], close: async () => undefined };
  },
};
