// Plain-JavaScript twin of f-then-g.atlas: the same algorithm, the same output.
function f(x) {
  let r = x;
  let k = 0;
  while (k < 20) {
    r = (r * 7 + k) % 10007;
    k = k + 1;
  }
  return r;
}

function leaf(a, b) {
  return (a * 13 + b) % 10009;
}

function g(x) {
  let r = x;
  let k = 0;
  while (k < 20) {
    r = leaf(r, k);
    k = k + 1;
  }
  return r;
}

let acc = 0;
let i = 0;
while (i < 500000) {
  acc = (acc + f(i)) % 1000003;
  i = i + 1;
}
console.log(acc);
i = 0;
while (i < 500000) {
  acc = (acc + g(i)) % 1000003;
  i = i + 1;
}
console.log(acc);
