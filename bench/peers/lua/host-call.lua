-- The function the host calls: a dozen numeric instructions.
function mix(a, b)
  return (a + b) * (a - b) / 2 + a
end
