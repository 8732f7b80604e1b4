// Plain-JavaScript twin of script-globals.atlas: the same algorithm, the same output.
let total = 0;
let i = 0;
while (i < 20000000) {
  total = (total + i * 3 + 1) % 999983;
  if (i % 1000000 === 0) {
    console.log(total);
  }
  i = i + 1;
}
console.log(total);
