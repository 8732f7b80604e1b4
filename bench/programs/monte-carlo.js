// Plain-JavaScript twin of monte-carlo.atlas: the same algorithm, the same output.
function batchHits(seed, n) {
  let s = seed;
  let hits = 0;
  let x = 0;
  let y = 0;
  let k = 0;
  while (k < n) {
    s = (s * 48271) % 2147483647;
    x = s / 2147483647;
    s = (s * 48271) % 2147483647;
    y = s / 2147483647;
    if (x * x + y * y <= 1) {
      hits = hits + 1;
    }
    k = k + 1;
  }
  return hits;
}

const batches = 2000;
const perBatch = 3000;
let hits = 0;
let b = 0;
while (b < batches) {
  hits = hits + batchHits(1 + b * 7919, perBatch);
  b = b + 1;
}
console.log(hits);
console.log((4 * hits) / (batches * perBatch));
