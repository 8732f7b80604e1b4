// Plain-JavaScript twin of pricing.atlas: the same algorithm, the same output.

function tierDiscount(quantity) {
  if (quantity >= 100) {
    return 0.15;
  }
  if (quantity >= 50) {
    return 0.1;
  }
  if (quantity >= 10) {
    return 0.05;
  }
  return 0;
}

function shipping(weightKg, express, subtotal) {
  let fee = 4.9;
  if (subtotal >= 250) {
    return 0;
  }
  let extra = weightKg - 1;
  while (extra > 0) {
    fee = fee + 1.25;
    extra = extra - 1;
  }
  if (express) {
    fee = fee * 2;
  }
  return fee;
}

function roundCents(amount) {
  const cents = amount * 100 + 0.5;
  return (cents - (cents % 1)) / 100;
}

function quote(unitPrice, quantity, member, couponPct, weightKg, express) {
  const subtotal = unitPrice * quantity;
  let discount = tierDiscount(quantity);
  if (member) {
    discount = discount + 0.03;
  }
  if (couponPct / 100 > discount) {
    discount = couponPct / 100;
  }
  const net = subtotal * (1 - discount);
  const tax = net * 0.2;
  return roundCents(net + tax + shipping(weightKg, express, net));
}

console.log(quote(19.99, 1, false, 0, 1, false));
console.log(quote(19.99, 12, true, 0, 3, false));
console.log(quote(4.5, 120, false, 10, 25, true));
console.log(quote(250, 2, true, 25, 8, true));

let seed = 42;
const requests = 1500000;
let revenue = 0;
let expressOrders = 0;
let n = 0;
while (n < requests) {
  seed = (seed * 75 + 74) % 65537;
  const price = 1 + (seed % 300);
  seed = (seed * 75 + 74) % 65537;
  const qty = 1 + (seed % 150);
  seed = (seed * 75 + 74) % 65537;
  const isExpress = seed % 7 === 0;
  if (isExpress) {
    expressOrders = expressOrders + 1;
  }
  revenue = revenue + quote(price, qty, seed % 3 === 0, seed % 20, 1 + (seed % 12), isExpress);
  n = n + 1;
}
console.log(requests);
console.log(expressOrders);
console.log(roundCents(revenue));
