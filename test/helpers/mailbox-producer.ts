// Worker-thread producer for the install mailbox tests: posts `count` entries whose jobIds
// are `base + i`, retrying while the ring is full.
import { workerData } from 'node:worker_threads';
import { InstallMailbox, type MailboxEntry } from '../../src/jit/install-mailbox.js';
import { NATIVE_TYPES } from '../../src/jit/native.js';

const { buffer, base, count } = workerData as { buffer: SharedArrayBuffer; base: number; count: number };
const mailbox = new InstallMailbox(buffer);
for (let i = 0; i < count; i++) {
  const entry: MailboxEntry = {
    jobId: base + i, outcome: { kind: 'compiled', handle: base + i, codeSize: i, returnType: NATIVE_TYPES[i % 3]!, compileMicros: i / 2 },
    postedAt: performance.timeOrigin + performance.now(),
  };
  while (!mailbox.post(entry)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.05);
}
