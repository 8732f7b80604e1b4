-- The primes below 300000, counted by trial division.
local function isPrime(n)
  local d = 2
  while d * d <= n do
    if n % d == 0 then
      return false
    end
    d = d + 1
  end
  return true
end

local function main()
  local count = 0
  local n = 2
  while n < 300000 do
    if isPrime(n) then
      count = count + 1
    end
    n = n + 1
  end
  print(count)
end

main()
