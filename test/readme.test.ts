/**
 * Every code block of the README runs as written: each `ts` block (type-stripped by the
 * TypeScript compiler, importing the package by its own name), each `npx atlas-jit` line of
 * the `sh` blocks, and each `atlas` program of docs/language.md.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { CLI } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'atlas-readme-'));
symlinkSync(join(ROOT, 'examples'), join(work, 'examples'), 'dir');

interface Block { readonly lang: string; readonly code: string; readonly line: number }

function blocks(file: string): Block[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: Block[] = [];
  for (const match of text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    found.push({ lang: match[1]!, code: match[2]!, line: text.slice(0, match.index).split('\n').length });
  }
  return found;
}

function run(command: string, args: readonly string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const README = blocks('README.md');

test('the README has TypeScript, shell and no untested code blocks', (t) => {
  t.true(README.some((b) => b.lang === 'ts'));
  t.true(README.some((b) => b.lang === 'sh'));
  // Only these kinds exist, so a new block is either run here or deliberately plain text.
  t.deepEqual([...new Set(README.map((b) => b.lang))].sort(), ['sh', 'ts']);
});

for (const block of README.filter((b) => b.lang === 'ts')) {
  test(`README.md:${block.line} (ts) runs`, (t) => {
    const js = ts.transpileModule(block.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    // Inside the package, so that `import ... from 'atlas-jit'` resolves through its exports.
    const file = join(ROOT, 'dist', 'test', `readme-snippet-${block.line}.mjs`);
    writeFileSync(file, js);
    const r = run(process.execPath, [file], work);
    t.is(r.code, 0, r.out);
  });
}

for (const block of README.filter((b) => b.lang === 'sh')) {
  const commands = block.code.split('\n').filter((line) => line.startsWith('npx atlas-jit '));
  if (commands.length === 0) continue;
  test(`README.md:${block.line} (sh) commands run`, (t) => {
    for (const command of commands) {
      const args = command.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
      const r = run(process.execPath, [CLI, ...args], work);
      t.is(r.code, 0, `${command}\n${r.out}`);
    }
  });
}

for (const block of blocks('docs/language.md').filter((b) => b.lang === 'atlas')) {
  test(`docs/language.md:${block.line} (atlas) runs`, (t) => {
    const file = join(work, `language-${block.line}.atlas`);
    writeFileSync(file, block.code);
    const r = run(process.execPath, [CLI, 'run', file], work);
    t.is(r.code, 0, r.out);
  });
}
