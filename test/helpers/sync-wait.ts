// Waiting without yielding to the event loop, as a run that never yields (`atlas-jit run`)
// polls between slices: what shared memory alone makes visible.

/** Sleeps in 5 ms naps until `condition` holds or `timeoutMs` passes; whether it holds. */
export function waitWithoutYielding(condition: () => boolean, timeoutMs = 20_000): boolean {
  const deadline = Date.now() + timeoutMs;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (!condition() && Date.now() < deadline) Atomics.wait(nap, 0, 0, 5);
  return condition();
}
