// Plain-JavaScript twin of loop-in-main.atlas: the same algorithm, the same output.
function main() {
  let sum = 0;
  let i = 0;
  while (i < 30000000) {
    sum = (sum + i * i) % 1000000007;
    i = i + 1;
  }
  console.log(sum);
}

main();
