/** The package's own files are named from its root, found by walking up from the module. */
import test from 'ava';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MANIFEST, ROOT } from './helpers/cli.js';
import { packageManifest, packagePath, packageRequire, packageRoot } from '../src/package-root.js';

test('the root is the folder holding atlas-jit\'s package.json, and the manifest is read from it', (t) => {
  t.is(packageRoot(), resolve(ROOT));
  t.is(packageManifest().name, 'atlas-jit');
  t.is(packageManifest().version, MANIFEST.version);
});

test('package paths name the worker scripts as tsc emits them', (t) => {
  for (const worker of ['compile-worker.js', 'runtime-worker.js']) t.true(existsSync(packagePath('dist', 'workers', worker)), worker);
});

test('packageRequire resolves dependencies from the root', (t) => {
  t.is(packageRequire().resolve('piscina'), join(ROOT, 'node_modules', 'piscina', 'dist', 'main.js'));
});
