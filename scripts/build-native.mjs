#!/usr/bin/env node
/**
 * Builds the native addon from source into native/atlas-jit-native.node.
 *
 *   node scripts/build-native.mjs [--debug] [--if-toolchain]
 *
 * With the napi-rs CLI (a dev dependency) it runs `napi build`, which also regenerates
 * native/native.d.ts; without it (an installed copy of the package) it runs cargo and copies
 * the library, which is all a `.node` file is. `--if-toolchain` (what `npm install` runs)
 * skips the build with one line when cargo is missing or older than the crate's
 * rust-version, so installing never fails for want of Rust: the runtime then runs
 * interpreted and says how to get the JIT.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const manifest = join(root, 'native', 'Cargo.toml');
const args = new Set(process.argv.slice(2));
const debug = args.has('--debug');

const problem = toolchainProblem();
if (problem !== undefined) {
  const line = `atlas-jit: ${problem}; the native JIT is not built (Atlas code runs interpreted). Install Rust from https://rustup.rs, then run npm run build:native.`;
  process.stderr.write(`${line}\n`);
  process.exit(args.has('--if-toolchain') ? 0 : 1);
}
process.exit(napiCli() === undefined ? cargoBuild() : napiBuild());

/** Why the toolchain cannot build the crate, or undefined when it can. */
function toolchainProblem() {
  const rustc = spawnSync('rustc', ['--version'], { encoding: 'utf8' });
  if (rustc.error !== undefined || rustc.status !== 0) return 'cargo/rustc not found';
  const wanted = /^rust-version\s*=\s*"([\d.]+)"/m.exec(readFileSync(manifest, 'utf8'))?.[1];
  const found = /^rustc (\d+\.\d+(?:\.\d+)?)/.exec(rustc.stdout)?.[1];
  if (wanted !== undefined && found !== undefined && olderThan(found, wanted)) return `Rust ${found} is older than the ${wanted} the crate needs`;
  return undefined;
}

function olderThan(version, minimum) {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) < b[i];
  return false;
}

/** The napi-rs CLI's entry script, when the dev dependency is installed. */
function napiCli() {
  try {
    const require = createRequire(join(root, 'package.json'));
    const pkgPath = require.resolve('@napi-rs/cli/package.json');
    const bin = JSON.parse(readFileSync(pkgPath, 'utf8')).bin;
    return join(dirname(pkgPath), typeof bin === 'string' ? bin : bin.napi);
  } catch {
    return undefined;
  }
}

function napiBuild() {
  const flags = ['build', '--manifest-path', manifest, '--output-dir', join(root, 'native'), '--js', 'false', '--dts', 'native.d.ts'];
  return run(process.execPath, [napiCli(), ...flags, ...(debug ? [] : ['--release'])]);
}

/** cargo alone: build the cdylib and copy it to where the loader looks. */
function cargoBuild() {
  const status = run('cargo', ['build', '--manifest-path', manifest, ...(debug ? [] : ['--release'])]);
  if (status !== 0) return status;
  const file = { win32: 'atlas_jit_native.dll', darwin: 'libatlas_jit_native.dylib' }[process.platform] ?? 'libatlas_jit_native.so';
  const built = join(root, 'native', 'target', debug ? 'debug' : 'release', file);
  if (!existsSync(built)) {
    process.stderr.write(`atlas-jit: cargo finished but ${built} is missing\n`);
    return 1;
  }
  copyFileSync(built, join(root, 'native', 'atlas-jit-native.node'));
  return 0;
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.error !== undefined) process.stderr.write(`atlas-jit: cannot run ${command}: ${result.error.message}\n`);
  return result.status ?? 1;
}
