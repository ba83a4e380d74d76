-- wrk script: Reserve POSTs as the asset page's Reserve form sends them, each of
-- a different asset or a different day, round the assets in a file; every
-- request should book (a 303 to the asset page).
--
-- Request n books asset n mod #codes on the day `first day` + the number of
-- times round the file, 09:00 to 17:00, so no two requests ask for the same
-- asset at the same time. wrk calls request() once before the run to check the
-- script; that request is never sent, and only wastes a slot.
--
--   wrk -s bench/reserve.lua http://host -- <codes file> <csrf token> <first day, YYYY-MM-DD> <days>

codes, token, first, days, sent = {}, "", 0, 1, 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then codes[#codes + 1] = line end
  end
  token = args[2]
  local y, m, d = args[3]:match("(%d+)-(%d+)-(%d+)")
  first = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
  days = tonumber(args[4])
end

-- Each wrk thread has its own Lua state: with one thread (-t1) `sent` counts
-- every request.
function request()
  sent = sent + 1
  local code = codes[(sent - 1) % #codes + 1]
  local round = math.floor((sent - 1) / #codes) % days
  local day = os.date("%Y-%m-%d", first + round * 86400)
  local body = "starts_at_date=" .. day .. "&starts_at_time=09%3A00&ends_at_date=" .. day
    .. "&ends_at_time=17%3A00&note=bench"
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["X-CSRFToken"] = token
  headers["Content-Length"] = tostring(#body)
  return wrk.format("POST", "/A/" .. code .. "/reserve", headers, body)
end

-- response() runs in each wrk thread's own Lua state and done() in the main
-- one, so the first few failures travel as one string through thread:get.
threads, failures, failed = {}, "", 0

function setup(thread)
  threads[#threads + 1] = thread
end

function response(status, headers, body)
  if status ~= 303 and failed < 5 then
    failed = failed + 1
    local said = body:match('class="flash[^"]*"[^>]*>%s*(.-)%s*<') or body:sub(1, 200)
    failures = failures .. "failed: " .. status .. " " .. said .. "\n"
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(thread:get("failures"))
  end
end
