// The function the host calls: a dozen numeric instructions.
// biome-ignore lint/correctness/noUnusedVariables: the host calls it by name
function mix(a, b) {
  return ((a + b) * (a - b)) / 2 + a;
}
