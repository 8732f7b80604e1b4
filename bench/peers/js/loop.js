// A numeric loop inside a function that is called once (30M iterations).
function main() {
  let sum = 0;
  let i = 0;
  while (i < 30000000) {
    sum = (sum + i * i) % 1000000007;
    i = i + 1;
  }
  print(sum);
}

main();
