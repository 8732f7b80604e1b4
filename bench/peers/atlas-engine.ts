/**
 * atlas-jit through its public API, as an embedding program runs it: compile the source,
 * run it in a new Vm and, with the JIT, in a new engine configured as `atlas-jit run`
 * configures it (no warm-up compile, default thresholds), closed at the end.
 */
import { compile, JitEngine, Vm } from '../../src/index.js';
import type { HostFunction, PeerEngine } from './engine.js';

async function withEngine<T>(jit: boolean, body: (engine: JitEngine | undefined) => T): Promise<T> {
  const engine = jit ? await JitEngine.create({ warmUp: false }) : undefined;
  try {
    return body(engine);
  } finally {
    await engine?.close();
  }
}

function newVm(source: string, engine: JitEngine | undefined, stdout: (line: string) => void): Vm {
  return new Vm(compile(source, 'peer.atlas'), { ...(engine === undefined ? {} : { jit: engine }), stdout });
}

export function atlasEngine(jit: boolean): PeerEngine {
  return {
    name: jit ? 'atlas-jit JIT' : 'atlas-jit --no-jit',
    language: 'atlas',
    runProgram: (source) =>
      withEngine(jit, (engine) => {
        const lines: string[] = [];
        newVm(source, engine, (line) => lines.push(line)).run();
        return lines;
      }),
    async hostFunction(source, name): Promise<HostFunction> {
      const engine = jit ? await JitEngine.create({ warmUp: false }) : undefined;
      try {
        const vm = newVm(source, engine, () => undefined);
        vm.run();
        return { call: vm.function<[number, number], number>(name), close: async () => engine?.close() };
      } catch (error) {
        await engine?.close();
        throw error;
      }
    },
  };
}
