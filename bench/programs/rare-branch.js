// Plain-JavaScript twin of rare-branch.atlas: the same algorithm, the same output.
function mix(i, acc) {
  let h = acc;
  let k = 0;
  while (k < 8) {
    h = (h * 31 + i + k) % 1000003;
    k = k + 1;
  }
  if (i % 500000 === 0) {
    console.log(`at ${String(i)} hash ${String(h)}`);
  }
  return h;
}

let acc = 1;
let i = 0;
while (i < 3000000) {
  acc = mix(i, acc);
  i = i + 1;
}
console.log(acc);
