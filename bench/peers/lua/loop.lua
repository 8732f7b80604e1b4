-- A numeric loop inside a function that is called once (30M iterations).
local function main()
  local sum = 0
  local i = 0
  while i < 30000000 do
    sum = (sum + i * i) % 1000000007
    i = i + 1
  end
  print(sum)
end

main()
