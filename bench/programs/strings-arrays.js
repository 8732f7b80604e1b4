// Plain-JavaScript twin of strings-arrays.atlas: the same algorithm, the same output.
function label(n) {
  let prefix = 'item-';
  if (n % 3 === 0) {
    prefix = 'sku-';
  }
  if (n % 5 === 0) {
    prefix = 'bundle-';
  }
  return prefix + String(n);
}

function joinCounts(counts) {
  let text = String(counts[0]);
  let k = 1;
  while (k < counts.length) {
    text = `${text},${String(counts[k])}`;
    k = k + 1;
  }
  return text;
}

const histogram = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
let longest = '';
let n = 0;
let name = '';
let size = 0;
while (n < 1500000) {
  name = label(n);
  size = name.length;
  histogram[size] = histogram[size] + 1;
  if (size >= longest.length) {
    longest = name;
  }
  n = n + 1;
}
console.log(joinCounts(histogram));
console.log(longest);
