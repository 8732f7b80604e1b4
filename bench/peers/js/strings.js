// Strings and arrays: labels built from a word table and a number, measured with `length`,
// a histogram of their lengths kept in an array and joined into one line.
function label(words, n) {
  return `${words[n % 8]}-${String(n)}`;
}

function join(counts) {
  let text = String(counts[0]);
  let k = 1;
  while (k < counts.length) {
    text = `${text},${String(counts[k])}`;
    k = k + 1;
  }
  return text;
}

function main() {
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
  const histogram = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let longest = "";
  let total = 0;
  let name = "";
  let size = 0;
  let n = 0;
  while (n < 300000) {
    name = label(words, n);
    size = name.length;
    histogram[size] = histogram[size] + 1;
    total = total + size;
    if (size > longest.length) {
      longest = name;
    }
    n = n + 1;
  }
  print(join(histogram));
  print(longest);
  print(total);
}

main();
