-- wrk script: GET a random asset page, /A/<code>, from a file of codes.
--
--   wrk -s bench/pages.lua http://host -- <codes file>

codes = {}

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then codes[#codes + 1] = line end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  return wrk.format("GET", "/A/" .. codes[math.random(#codes)])
end
