/**
 * The entry module of a hosted runtime's worker thread (started by `spawnRuntime`): builds
 * a RuntimeHost from the start-up data and exposes it to the main thread with comlink.
 */
import { expose } from 'comlink';
import { parentPort, workerData } from 'node:worker_threads';
import { encodeError, installErrorTransfer } from '../src/remote/error-transfer.js';
import { InterruptSignal } from '../src/remote/interrupt-signal.js';
import { nodeEndpoint } from '../src/remote/node-endpoint.js';
import type { RuntimeApi } from '../src/remote/runtime-api.js';
import { RuntimeHost } from '../src/remote/runtime-host.js';
import { StatsBoard } from '../src/remote/stats-board.js';
import { installValueTransfer } from '../src/remote/value-transfer.js';
import type { RuntimeWorkerData, RuntimeWorkerMessage } from '../src/remote/worker-protocol.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('runtime-worker must run in a worker thread (use spawnRuntime)');
  const send = (message: RuntimeWorkerMessage) => port.postMessage(message);
  installErrorTransfer();
  installValueTransfer();
  const data = workerData as RuntimeWorkerData;
  try {
    const host = await RuntimeHost.create({
      ...data.options,
      interruptSignal: new InterruptSignal(data.interrupt),
      statsBoard: new StatsBoard(data.stats),
      stdout: (line) => send({ atlasRuntime: 'stdout', line }),
    });
    // Only the API, not the host object: comlink would also answer property reads.
    const api: RuntimeApi = {
      load: (program, filename) => host.load(program, filename),
      run: () => host.run(),
      call: (name, ...args) => host.call(name, ...args),
      stats: () => host.stats(),
      interrupt: () => host.interrupt(),
      close: () => host.close(),
    };
    expose(api, nodeEndpoint(port));
    send({ atlasRuntime: 'ready' });
  } catch (error) {
    send({ atlasRuntime: 'spawn-failed', error: encodeError(error instanceof Error ? error : new Error(String(error))) });
  }
}

await main();
