// The primes below 300000, counted by trial division.
function isPrime(n) {
  let d = 2;
  while (d * d <= n) {
    if (n % d === 0) {
      return false;
    }
    d = d + 1;
  }
  return true;
}

function main() {
  let count = 0;
  let n = 2;
  while (n < 300000) {
    if (isPrime(n)) {
      count = count + 1;
    }
    n = n + 1;
  }
  print(count);
}

main();
