/**
 * Loading the native addon (the Rust crate in `native/`): the only place that requires it.
 * Its interface is typed from the declarations napi generates (`native/native.d.ts`,
 * committed). Loaded on first use, so importing never fails by itself.
 *
 * Where it comes from, first found wins (the way napi-rs packages do it):
 *  1. `ATLAS_JIT_NATIVE_ADDON`, when set: that file and nothing else (a custom build; tests
 *     point it at a missing file to run without an addon);
 *  2. the prebuilt platform package, `atlas-jit-<platform>` (an optional dependency: npm
 *     installs only the one whose os/cpu/libc match), e.g. `atlas-jit-linux-x64-gnu`;
 *  3. the local build, `<package root>/native/atlas-jit-native.node` (`npm run build:native`).
 * When none loads, `JitUnavailableError` says why and how to get one; the JIT is then
 * unavailable and Atlas code can only run interpreted.
 */
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:process';
import { join } from 'node:path';
import type * as NativeAddon from '../../../native/native.js';
import { packageRequire, packageRoot } from '../../package-root.js';
import { type CompileThreadPriority, NativeAddonError } from './contract.js';

/** The addon's exports, as napi declares them from the Rust sources. */
type Addon = typeof NativeAddon;

const PACKAGE_NAME = 'atlas-jit';
const ADDON_FILE = 'atlas-jit-native.node';
/** Names a file to load instead of searching. */
const ADDON_PATH_VARIABLE = 'ATLAS_JIT_NATIVE_ADDON';

/**
 * The napi-rs platform names this package publishes prebuilt addons for (`napi.targets` in
 * native/package.json, one npm package each). Linux has two C libraries, so two candidates.
 */
export const PREBUILT_PLATFORMS: Readonly<Record<string, readonly string[]>> = {
  'linux-x64': ['linux-x64-gnu', 'linux-x64-musl'],
  'linux-arm64': ['linux-arm64-gnu', 'linux-arm64-musl'],
  'darwin-x64': ['darwin-x64'],
  'darwin-arm64': ['darwin-arm64'],
  'win32-x64': ['win32-x64-msvc'],
};

/**
 * No native JIT on this machine: no addon for the platform could be found or loaded.
 * `JitEngine.create` rejects with it; everything else runs interpreted.
 */
export class JitUnavailableError extends NativeAddonError {
  /** Node's `platform-arch`, e.g. `linux-x64`. */
  readonly platform: string;
  /** Why, in one sentence (without the advice). */
  readonly reason: string;

  constructor(platformName: string, reason: string, options?: ErrorOptions) {
    super(`no native JIT for ${platformName}: ${reason}. ${advice(platformName)}`, options);
    this.name = 'JitUnavailableError';
    this.platform = platformName;
    this.reason = reason;
  }
}

/** How to get a JIT on this platform. */
function advice(platformName: string): string {
  const prebuilt = prebuiltName(platformName);
  const install = prebuilt === undefined ? '' : `install the prebuilt addon (npm install ${PACKAGE_NAME}-${prebuilt}) or `;
  return `Atlas code runs interpreted. To get the JIT, ${install}build it from source with Rust ≥ 1.95: npm run build:native in the atlas-jit package`;
}

/** The napi platform name of this machine's prebuilt package, if one is published (only asked on failure: the libc probe costs ms). */
function prebuiltName(platformName: string): string | undefined {
  const names = PREBUILT_PLATFORMS[platformName];
  if (names === undefined || names.length === 1) return names?.[0];
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return header?.glibcVersionRuntime === undefined ? names[1] : names[0];
}

/** Either the loaded addon and where it came from, or why none could be loaded. */
type LoadResult = { readonly addon: Addon; readonly path: string } | { readonly error: JitUnavailableError };

let result: LoadResult | undefined;

/** Loads the addon on first use (once per thread), so importing this module never fails by itself. */
export function addon(): Addon {
  result ??= load();
  if ('error' in result) throw result.error;
  return result.addon;
}

/** Throws `JitUnavailableError` unless an addon loads (loading it now if it is not yet). */
export function requireAddon(): void {
  addon();
}

function load(): LoadResult {
  const here = `${platform}-${arch}`;
  const require = packageRequire();
  const failures: string[] = [];
  for (const candidate of candidates(require)) {
    try {
      return { addon: require(candidate.path) as Addon, path: candidate.path };
    } catch (cause) {
      failures.push(`${candidate.label} did not load (${firstLine(cause)})`);
      if (candidate.only) break;
    }
  }
  if (failures.length === 0) failures.push('no prebuilt addon is installed and there is no local build');
  return { error: new JitUnavailableError(here, failures.join('; ')) };
}

interface Candidate {
  readonly path: string;
  readonly label: string;
  /** The one file to try: do not search further when it fails. */
  readonly only?: boolean;
}

/** The files to try, in order; only those that exist (a missing one is no failure). */
function candidates(require: NodeJS.Require): Candidate[] {
  const override = process.env[ADDON_PATH_VARIABLE];
  if (override !== undefined && override !== '') return [{ path: override, label: `${ADDON_PATH_VARIABLE}=${override}`, only: true }];
  const found: Candidate[] = [];
  for (const name of PREBUILT_PLATFORMS[`${platform}-${arch}`] ?? []) {
    const path = resolvePackage(require, `${PACKAGE_NAME}-${name}`);
    if (path !== undefined) found.push({ path, label: `the prebuilt package ${PACKAGE_NAME}-${name}` });
  }
  const local = localAddonPath();
  if (local !== undefined && existsSync(local)) found.push({ path: local, label: `the local build ${local}` });
  return found;
}

function resolvePackage(require: NodeJS.Require, name: string): string | undefined {
  try {
    return require.resolve(name);
  } catch {
    return undefined;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

function localAddonPath(): string | undefined {
  const root = packageRoot();
  return root === undefined ? undefined : join(root, 'native', ADDON_FILE);
}

/** Where the addon was loaded from (loading it if it is not yet). */
export function nativeAddonPath(): string {
  addon();
  return (result as { readonly path: string }).path;
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
