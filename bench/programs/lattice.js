// Plain-JavaScript twin of lattice.atlas: the same algorithm, the same output. Atlas's
// `round` (ties to even) and `max` (first operand on ties, a NaN operand ignored) are not
// Math.round and Math.max; these are their exact equivalents.
function atlasRound(x) {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const r = x - f;
  if (r < 0.5) return f;
  if (r > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
// biome-ignore lint/complexity/useMathMinMax: Math.max orders -0 before +0; Atlas max keeps the first operand.
const atlasMax = (a, b) => (Number.isNaN(a) ? b : b > a ? b : a);
// biome-ignore lint/complexity/useMathMinMax: Math.min orders -0 before +0; Atlas min keeps the first operand.
const atlasMin = (a, b) => (Number.isNaN(a) ? b : b < a ? b : a);
const clamp = (v, lo, hi) => (lo > hi ? Number.NaN : atlasMin(atlasMax(v, lo), hi));

function circlePoints(r) {
  let count = 0;
  let x = 0 - r;
  while (x <= r) {
    count = count + 2 * Math.floor(Math.sqrt(r * r - x * x)) + 1;
    x = x + 1;
  }
  return count;
}

function walk(steps, limit) {
  let seed = 12345;
  let position = 0;
  let widest = 0;
  let i = 0;
  while (i < steps) {
    seed = (seed * 75 + 74) % 65537;
    position = clamp(position + (seed % 7) - 3, 0 - limit, limit);
    widest = atlasMax(widest, Math.abs(position));
    i = i + 1;
  }
  return widest;
}

function surveyTotal(n) {
  let total = 0;
  let r = 1;
  while (r <= n) {
    total = total + circlePoints(r);
    r = r + 1;
  }
  return total;
}

function surveyError(n) {
  let worst = 0;
  let r = 1;
  while (r <= n) {
    worst = atlasMax(worst, Math.abs(circlePoints(r) - Math.PI * r * r) / r);
    r = r + 1;
  }
  return atlasRound(worst * 1000);
}

console.log(surveyTotal(1500));
console.log(surveyError(600));
console.log(walk(2000000, 5000));
