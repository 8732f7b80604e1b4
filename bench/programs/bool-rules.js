// Plain-JavaScript twin of bool-rules.atlas: the same algorithm, the same output.
function lateFee(days, member, damaged) {
  let fee = 0;
  let d = 0;
  while (d < days) {
    if (d >= 3) {
      fee = fee + 25;
    }
    d = d + 1;
  }
  if (member) {
    fee = (fee - (fee % 2)) / 2;
  }
  if (damaged) {
    fee = fee + 500;
  }
  if (fee > 2000) {
    fee = 2000;
  }
  return fee;
}

function mayRenew(days, member, damaged) {
  if (damaged) {
    return false;
  }
  if (member) {
    return days < 60;
  }
  return days < 21;
}

let seed = 7;
const loans = 1000000;
let fees = 0;
let renewals = 0;
let n = 0;
while (n < loans) {
  seed = (seed * 75 + 74) % 65537;
  const days = seed % 40;
  seed = (seed * 75 + 74) % 65537;
  const member = seed % 3 === 0;
  const damaged = seed % 11 === 0;
  fees = fees + lateFee(days, member, damaged);
  if (mayRenew(days, member, damaged)) {
    renewals = renewals + 1;
  }
  n = n + 1;
}
console.log(fees);
console.log(renewals);
