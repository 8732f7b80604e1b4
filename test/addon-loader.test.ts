/**
 * Where the addon is loaded from: the prebuilt platform package (an optional dependency)
 * before the local build, and `ATLAS_JIT_NATIVE_ADDON` before both. Each case runs in a
 * child process on a copy of the package, since a thread loads its addon once.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAddonPath, PREBUILT_PLATFORMS } from '../src/jit/native/addon.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'atlas-loader-'));
const BUILT = nativeAddonPath();

/** A copy of the package (manifest, dist, dependencies) with a local build in native/. */
function packageCopy(): string {
  const pkg = join(dir, 'pkg');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  mkdirSync(join(pkg, 'native'));
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  for (const part of ['src', 'workers']) cpSync(join(ROOT, 'dist', part), join(pkg, 'dist', part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  copyFileSync(BUILT, join(pkg, 'native', 'atlas-jit-native.node'));
  return pkg;
}

/** The platform package napi's create-npm-dirs would make for this machine, in a folder of its own. */
function platformPackage(): { modules: string; name: string } | undefined {
  const name = PREBUILT_PLATFORMS[`${process.platform}-${process.arch}`]?.[0];
  if (name === undefined) return undefined;
  const packageDir = join(dir, 'modules', `atlas-jit-${name}`);
  mkdirSync(packageDir, { recursive: true });
  const file = `atlas-jit-native.${name}.node`;
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: `atlas-jit-${name}`, version: '0.0.0', main: file }));
  copyFileSync(BUILT, join(packageDir, file));
  return { modules: join(dir, 'modules'), name };
}

const PKG = packageCopy();
const PLATFORM = platformPackage();

/** Where the copy loads its addon from, with these extra environment variables. */
function loadedFrom(env: Record<string, string>): string {
  const script = `import { nativeAddonPath, hostIsa } from ${JSON.stringify(join(PKG, 'dist/src/jit/native/addon.js'))};\nhostIsa();\nprocess.stdout.write(nativeAddonPath());\n`;
  const base = { ...process.env };
  delete base.ATLAS_JIT_NATIVE_ADDON;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...base, ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

test('the local build is used when no platform package is installed', (t) => {
  t.is(loadedFrom({}), join(PKG, 'native', 'atlas-jit-native.node'));
});

test('the prebuilt platform package comes before the local build', (t) => {
  if (PLATFORM === undefined) {
    t.pass(`no prebuilt package for ${process.platform}-${process.arch}`);
    return;
  }
  // NODE_PATH stands in for node_modules: require.resolve searches both.
  t.is(loadedFrom({ NODE_PATH: PLATFORM.modules }), join(PLATFORM.modules, `atlas-jit-${PLATFORM.name}`, `atlas-jit-native.${PLATFORM.name}.node`));
});

test('ATLAS_JIT_NATIVE_ADDON comes before both', (t) => {
  const custom = join(dir, 'custom.node');
  copyFileSync(BUILT, custom);
  t.is(loadedFrom({ ATLAS_JIT_NATIVE_ADDON: custom, ...(PLATFORM === undefined ? {} : { NODE_PATH: PLATFORM.modules }) }), custom);
});
