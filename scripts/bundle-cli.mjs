#!/usr/bin/env node
/**
 * Bundles the `atlas-jit` command (tsc's `dist/src/cli.js` and everything it imports) with
 * esbuild into `dist/cli/`, the package's `bin`. Why: Node 20 has no module compile cache,
 * and resolving and linking the ~75 small ES modules of a run is most of a short run's
 * start-up time; a bundle loads a handful of files.
 *
 * The command's lazy structure survives: with code splitting, every `import()` of the
 * sources becomes a chunk that loads only when the command reaches it (the JIT's modules
 * only for a program that can get hot, the error reporter only on an error, …).
 *
 * Kept outside the bundle: Node's built-ins; the worker scripts and the native addon, which are
 * loaded as files (from `dist/workers/` and via the package root: see `src/package-root.ts`).
 * Piscina is bundled into the JIT's chunk: loaded as a package, its dozen CommonJS files cost
 * a run that loads the JIT 9–18 ms of its main thread. It finds the script its threads start
 * with (its own `worker.js`) beside its `__dirname`, so that one name is pointed back at the
 * installed package (`piscinaDirname`).
 *
 * Run after tsc (`npm run build:ts`). Also writes `dist/cli-meta.json`, esbuild's account of
 * which source module went into which output file (the tests read it).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(root, 'dist', 'cli');

// Chunk names carry a content hash: clear the old ones rather than let them pile up.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { 'atlas-jit': 'dist/src/cli.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['*.node'],
  plugins: [piscinaDirname()],
  // CommonJS dependencies (commander) call `require` for Node's built-ins; an ES module has no
  // `require` of its own, so each output file gets one.
  banner: { js: "import { createRequire as __atlasCreateRequire } from 'node:module';\nconst require = __atlasCreateRequire(import.meta.url);" },
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

writeFileSync(join(root, 'dist', 'cli-meta.json'), JSON.stringify(result.metafile));

/**
 * Bundled, piscina's `__dirname` would be the bundle's (or undefined: the bundle is an ES
 * module); it names the folder of piscina's thread bootstrap, so it is replaced by that
 * folder as the installed package resolves at run time (from the bundle's own `require`).
 */
function piscinaDirname() {
  return {
    name: 'piscina-dirname',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/]piscina[\\/]dist[\\/]index\.js$/ }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('__dirname')) throw new Error('piscina no longer uses __dirname: revisit scripts/bundle-cli.mjs');
        const dirname = "require('node:path').dirname(require.resolve('piscina'))";
        return { contents: source.replaceAll('__dirname', dirname), loader: 'js' };
      });
    },
  };
}
