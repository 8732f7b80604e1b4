/**
 * atlas-jit through its public API, as an embedding program runs it: compile the source and
 * run it in a new Vm. Three ways:
 * - `--no-jit`: no engine;
 * - JIT, fresh engine: a new engine per run, configured as `atlas-jit run` configures it (no
 *   warm-up compile, default thresholds), closed at the end, so the run pays the compile
 *   workers' boot;
 * - JIT, shared engine: one engine for the process, made on first use, like wasmoon's factory
 *   (a server keeps its engine): each run still compiles its own program from cold, and its
 *   code is released at the end of the run (`engine.invalidate`), inside the timing.
 */
import type { Bytecode } from '../../src/bytecode/index.js';
import { compile, JitEngine, Vm } from '../../src/index.js';
import type { HostFunction, PeerEngine } from './engine.js';

export type AtlasMode = 'interpreter' | 'fresh-engine' | 'shared-engine';

const NAMES: Record<AtlasMode, string> = {
  interpreter: 'atlas-jit --no-jit',
  'fresh-engine': 'atlas-jit JIT',
  'shared-engine': 'atlas-jit JIT, shared engine',
};

/** An engine for one run (or host function), and how to let go of it. */
interface Lease {
  readonly engine: JitEngine | undefined;
  release(bytecode: Bytecode): Promise<void>;
}

export function atlasEngine(mode: AtlasMode): PeerEngine {
  let shared: Promise<JitEngine> | undefined;
  const lease = async (): Promise<Lease> => {
    if (mode === 'interpreter') return { engine: undefined, release: async () => undefined };
    if (mode === 'fresh-engine') {
      const engine = await JitEngine.create({ warmUp: false });
      return { engine, release: () => engine.close() };
    }
    shared ??= JitEngine.create({ warmUp: false });
    const engine = await shared;
    return { engine, release: async (bytecode) => engine.invalidate(bytecode) };
  };
  const newVm = (bytecode: Bytecode, engine: JitEngine | undefined, stdout: (line: string) => void) =>
    new Vm(bytecode, { ...(engine === undefined ? {} : { jit: engine }), stdout });
  return {
    name: NAMES[mode],
    language: 'atlas',
    async runProgram(source) {
      const { engine, release } = await lease();
      const bytecode = compile(source, 'peer.atlas');
      try {
        const lines: string[] = [];
        newVm(bytecode, engine, (line) => lines.push(line)).run();
        return lines;
      } finally {
        await release(bytecode);
      }
    },
    async hostFunction(source, name): Promise<HostFunction> {
      const { engine, release } = await lease();
      const bytecode = compile(source, 'peer.atlas');
      try {
        const vm = newVm(bytecode, engine, () => undefined);
        vm.run();
        return { call: vm.function<[number, number], number>(name), close: () => release(bytecode) };
      } catch (error) {
        await release(bytecode);
        throw error;
      }
    },
    async dispose() {
      if (shared !== undefined) await (await shared).close();
    },
  };
}
