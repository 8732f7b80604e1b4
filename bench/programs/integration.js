// Plain-JavaScript twin of integration.atlas: the same algorithm, the same output.
function poly(x) {
  return ((3 * x - 2) * x + 1) * x - 5;
}

function midpoint(a, b, n) {
  const h = (b - a) / n;
  let sum = 0;
  let k = 0;
  while (k < n) {
    sum = sum + poly(a + (k + 0.5) * h);
    k = k + 1;
  }
  return sum * h;
}

let total = 0;
let strip = 0;
while (strip < 400) {
  total = total + midpoint(strip / 100, (strip + 1) / 100, 15000);
  strip = strip + 1;
}
console.log(total);
