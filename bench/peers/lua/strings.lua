-- Strings and arrays: labels built from a word table and a number, measured with `#`,
-- a histogram of their lengths kept in a table and joined into one line. Lua's tables
-- count from 1, so every index is one more than in the Atlas and JS programs.
local function label(words, n)
  return words[n % 8 + 1] .. "-" .. tostring(n)
end

local function join(counts)
  local text = tostring(counts[1])
  local k = 2
  while k <= #counts do
    text = text .. "," .. tostring(counts[k])
    k = k + 1
  end
  return text
end

local function main()
  local words = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta" }
  local histogram = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
  local longest = ""
  local total = 0
  local name = ""
  local size = 0
  local n = 0
  while n < 300000 do
    name = label(words, n)
    size = #name
    histogram[size + 1] = histogram[size + 1] + 1
    total = total + size
    if size > #longest then
      longest = name
    end
    n = n + 1
  end
  print(join(histogram))
  print(longest)
  print(total)
end

main()
