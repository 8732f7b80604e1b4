// A numeric loop inside a function that is called once (30M iterations).
// Every intermediate stays below 2^31: fengari's Lua integers are 32-bit.
function main() {
  let sum = 0;
  let i = 0;
  while (i < 30000000) {
    sum = (sum + i * 3) % 1000000007;
    i = i + 1;
  }
  print(sum);
}

main();
