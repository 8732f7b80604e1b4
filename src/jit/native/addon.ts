/**
 * Loading the native addon (`native/atlas-jit-native.node`, the Rust crate in `native/`): the
 * only place that requires it. Its interface is typed from the declarations napi generates
 * (`native/native.d.ts`, committed). Loaded on first use, so importing never fails by itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as NativeAddon from '../../../native/native.js';
import { type CompileThreadPriority, NativeAddonError } from './contract.js';

/** The addon's exports, as napi declares them from the Rust sources. */
type Addon = typeof NativeAddon;

const PACKAGE_NAME = 'atlas-jit';
const ADDON_FILE = 'atlas-jit-native.node';

/**
 * The package root: the nearest ancestor holding atlas-jit's package.json. Found from this
 * module's own URL, so it is the same from `src/`, `dist/src/` and inside worker threads.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new NativeAddonError(`cannot find the ${PACKAGE_NAME} package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function readPackageName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

let loaded: Addon | undefined;

/** Loads the addon on first use, so importing this module never fails by itself. */
export function addon(): Addon {
  if (loaded !== undefined) return loaded;
  const path = nativeAddonPath();
  try {
    loaded = createRequire(import.meta.url)(path) as Addon;
  } catch (cause) {
    throw new NativeAddonError(`cannot load the native addon ${path} (run \`npm run build:native\`)`, { cause });
  }
  return loaded;
}

/** Where the addon is loaded from: `<package root>/native/atlas-jit-native.node`. */
export function nativeAddonPath(): string {
  return join(packageRoot(), 'native', ADDON_FILE);
}

/** The target triple native code is generated for, e.g. `x86_64-unknown-linux-gnu`. */
export function hostIsa(): string {
  return addon().hostIsa();
}

/** How the addon was built: `npm run build:native` gives 'release', `build:native:debug` 'debug'. */
export function addonProfile(): 'debug' | 'release' {
  const profile = addon().addonProfile();
  if (profile !== 'debug' && profile !== 'release') throw new NativeAddonError(`unknown addon profile ${profile}`);
  return profile;
}

/** Whether `compileFunction` runs the verifier when not told (debug addon or ATLAS_JIT_VERIFY=1). */
export function verifierDefault(): boolean {
  return addon().verifierDefault();
}

/**
 * An argument-less N-API function of the addon that does nothing: what one crossing into
 * the addon costs, the floor under `NativeInvoker.invoke` (for benchmarks).
 */
export function emptyNativeCall(): () => void {
  return addon().emptyCallFunction();
}

/** Lowers the calling thread's scheduling priority (a thread is never raised back). */
export function lowerThreadPriority(priority: CompileThreadPriority): void {
  addon().lowerThreadPriority(priority);
}
