// Conformance with the reference implementation's own corpus (test/fixtures/atlas-corpus,
// copied unchanged with its MIT licence): every `pass` program must print exactly its
// `.stdout`, every runtime-error program must fail with exactly its `.stderr`, and every
// program the reference rejects must be rejected with its `.stderr` as the CompileError's
// `referenceLine`, in every execution mode listed in `modes`.
import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import type { Bytecode } from '../src/bytecode/index.js';
import { CompileError, compile } from '../src/compiler/index.js';
import { AtlasRuntimeError, Vm } from '../src/vm/index.js';
import { JitEngine } from '../src/jit/jit-engine.js';
import type { JitConfig } from '../src/jit/jit-config.js';

const CORPUS = new URL('../../test/fixtures/atlas-corpus/', import.meta.url);

/**
 * An execution mode: runs compiled bytecode, sending each printed line to `stdout`, and
 * lets an AtlasRuntimeError escape.
 */
interface Mode {
  readonly name: string;
  run(bytecode: Bytecode, stdout: (line: string) => void): void | Promise<void>;
}

/** One engine per JIT mode, shared by its programs and closed after the file. */
const engines = new Map<string, Promise<JitEngine>>();
function engineFor(name: string, config: JitConfig): Promise<JitEngine> {
  let engine = engines.get(name);
  if (engine === undefined) {
    engine = JitEngine.create({ workers: 1, ...config });
    engines.set(name, engine);
  }
  return engine;
}
test.after.always(async () => {
  for (const engine of engines.values()) await (await engine).close();
});

const modes: Mode[] = [
  { name: 'interpreter', run: (bytecode, stdout) => { new Vm(bytecode, { stdout }).run(); } },
  // The JIT with its default threshold, exactly as a user runs a program.
  { name: 'jit', run: async (bytecode, stdout) => { new Vm(bytecode, { stdout, jit: await engineFor('jit', {}) }).run(); } },
  {
    // Everything hot at once: a first run makes every called function hot, the compiles
    // finish, and the measured run then executes whatever compiled as native code.
    name: 'jit-threshold-1',
    run: async (bytecode, stdout) => {
      const engine = await engineFor('jit-threshold-1', { compilationThreshold: 1 });
      try {
        new Vm(bytecode, { stdout: () => {}, jit: engine }).run();
      } catch (error) {
        if (!(error instanceof AtlasRuntimeError)) throw error;
      }
      await engine.whenIdle();
      new Vm(bytecode, { stdout, jit: engine }).run();
    },
  },
];

interface CorpusProgram {
  /** `dir/name`, e.g. `arithmetic/factorial`. */
  readonly name: string;
  readonly source: string;
  /** The exact expected stdout (pass programs) or stderr line (error programs). */
  readonly expected: string;
  /** Prints `expected`; fails at run time; is rejected before it runs. */
  readonly outcome: 'prints' | 'fails' | 'rejected';
}

function loadCorpus(): CorpusProgram[] {
  const programs: CorpusProgram[] = [];
  for (const dir of readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const folder = new URL(`${dir}/`, CORPUS);
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.atlas')).sort()) {
      const base = file.slice(0, -'.atlas'.length);
      const siblings = readdirSync(folder);
      const failing = siblings.includes(`${base}.stderr`);
      const expected = readFileSync(new URL(`${base}.${failing ? 'stderr' : 'stdout'}`, folder), 'utf8');
      const outcome = !failing ? 'prints' : expected.startsWith('Runtime error: ') ? 'fails' : 'rejected';
      programs.push({ name: `${dir}/${base}`, source: readFileSync(new URL(file, folder), 'utf8'), expected, outcome });
    }
  }
  return programs;
}

const corpus = loadCorpus();

test('the corpus is complete: 29 pass programs, 5 runtime errors, 12 rejected programs', (t) => {
  t.is(corpus.length, 46);
  t.is(corpus.filter((p) => p.outcome === 'prints').length, 29);
  t.is(corpus.filter((p) => p.outcome === 'fails').length, 5);
  t.is(corpus.filter((p) => p.outcome === 'rejected').length, 12);
  t.true(readFileSync(new URL('LICENSE', CORPUS), 'utf8').includes('MIT'));
});

for (const mode of modes) {
  for (const program of corpus) {
    test(`${mode.name} › ${program.name}`, async (t) => {
      if (program.outcome === 'rejected') {
        const err = t.throws(() => compile(program.source, `${program.name}.atlas`), { instanceOf: CompileError });
        t.is(err?.referenceLine, program.expected);
        return;
      }
      const bytecode = compile(program.source, `${program.name}.atlas`);
      const lines: string[] = [];
      const stdout = (line: string) => { lines.push(line); };
      if (program.outcome === 'prints') {
        await mode.run(bytecode, stdout);
        t.is(lines.map((line) => `${line}\n`).join(''), program.expected);
        return;
      }
      const err = await t.throwsAsync(async () => mode.run(bytecode, stdout), { instanceOf: AtlasRuntimeError });
      t.is(`Runtime error: ${err!.debugString()}`, program.expected.trim());
    });
  }
}
