/**
 * `npm run bench`: runs every `*.bench.js` next to this file or in a folder below it (the peer
 * suite is `peers/peers.bench.js`), one child process each (so one benchmark's JIT state and
 * threads never disturb the next), in a fixed order.
 * Extra arguments (e.g. `--quick`) are passed through.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const benches = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.bench.js')).sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, [`${dir}${file}`, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
