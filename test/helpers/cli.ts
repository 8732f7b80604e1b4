// The command line as the tests run it: the package's `bin` (the bundled command users get) in
// a child process, and a scratch folder for the programs and files a test hands it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file runs as dist/test/helpers/cli.js). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The package's manifest, as npm reads it. */
export const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

/** The command's file relative to a package root: what `npm install` links `atlas-jit` to. */
export const BIN = MANIFEST.bin['atlas-jit']!;

/** The command's file in this checkout. */
export const CLI = join(ROOT, BIN);

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `atlas-jit …args` to its end. */
export function cli(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder, and a writer of text files into it (each returns its path). */
export function scratch(prefix: string): { readonly dir: string; file(name: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}
