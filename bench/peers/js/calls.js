// A small function called 10M times from a loop.
function step(x, i) {
  return (x * 31 + i) % 1000003;
}

function main() {
  let acc = 0;
  let i = 0;
  while (i < 10000000) {
    acc = step(acc, i);
    i = i + 1;
  }
  print(acc);
}

main();
