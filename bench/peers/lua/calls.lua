-- A small function called 10M times from a loop.
local function step(x, i)
  return (x * 31 + i) % 1000003
end

local function main()
  local acc = 0
  local i = 0
  while i < 10000000 do
    acc = step(acc, i)
    i = i + 1
  end
  print(acc)
end

main()
