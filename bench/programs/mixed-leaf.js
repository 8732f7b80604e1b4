// Plain-JavaScript twin of mixed-leaf.atlas: the same algorithm, the same output.
function score(x, i) {
  return (x * 31 + i) % 1000003;
}

function tag(n) {
  return `t${String(n % 97)}`;
}

let acc = 0;
let chars = 0;
let i = 0;
while (i < 3000000) {
  acc = score(acc, i);
  if (i % 10 === 0) {
    chars = chars + tag(i).length;
  }
  i = i + 1;
}
console.log(acc);
console.log(chars);
