/**
 * Where this package's own files are: the package root, found once by walking up from this
 * module to the nearest directory whose package.json is atlas-jit's. Every file the code
 * opens by path (the worker scripts, the local addon build, the manifest) is named from the
 * root, not from the calling module's URL, because a module's URL depends on where it was
 * built to: `dist/src/…` as tsc emits it, or a chunk of the bundled command in `dist/cli/`.
 * Dependencies loaded with `require` resolve from the root for the same reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'atlas-jit';

/** The fields of our package.json this code reads. */
export interface PackageManifest {
  readonly name: string;
  readonly version: string;
}

interface FoundPackage {
  readonly root: string;
  readonly manifest: PackageManifest;
}

/** Looked up at the first question; `null` once the walk found nothing. */
let found: FoundPackage | null | undefined;

function findPackage(): FoundPackage | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === PACKAGE_NAME) return { root: dir, manifest };
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The manifest at `path`, or undefined when there is none or it is not one of ours to read. */
function readManifest(path: string): PackageManifest | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
    return typeof json.name === 'string' && typeof json.version === 'string' ? { name: json.name, version: json.version } : undefined;
  } catch {
    return undefined;
  }
}

function foundPackage(): FoundPackage | null {
  if (found === undefined) found = findPackage();
  return found;
}

/** The package root (the directory holding atlas-jit's package.json), or undefined when none is above this module. */
export function packageRoot(): string | undefined {
  return foundPackage()?.root;
}

/** The package root; throws when there is none (the package's files were moved apart). */
function requiredRoot(): FoundPackage {
  const pkg = foundPackage();
  if (pkg === null) throw new Error(`atlas-jit: no ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}`);
  return pkg;
}

/** The package's manifest (name and version). */
export function packageManifest(): PackageManifest {
  return requiredRoot().manifest;
}

/** The absolute path of a file of the package, from its root, e.g. `packagePath('dist', 'workers', 'compile-worker.js')`. */
export function packagePath(...segments: string[]): string {
  return join(requiredRoot().root, ...segments);
}

/**
 * A `require` that resolves as code at the package root does (its `node_modules`, then the
 * folders above): for CommonJS dependencies loaded synchronously and for the addon.
 */
export function packageRequire(): NodeJS.Require {
  const root = packageRoot();
  return createRequire(root === undefined ? import.meta.url : join(root, 'package.json'));
}
