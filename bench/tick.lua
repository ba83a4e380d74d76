-- wrk script: "Seen ✓" as an asset page sends it (htmx POST, target #audit-card),
-- a different asset code on every request.
--
--   wrk -s bench/tick.lua http://host/audits/<id>/tick -- <codes file> <csrf token> <run>
--
-- <codes file> holds one code a line; <run> makes the idempotency keys unique per run.
-- The thread stops when the codes run out, so no asset is ever ticked twice.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

codes, ncodes, token, run, sent, seen, other = {}, 0, "", "", 0, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then codes[#codes + 1] = line end
  end
  ncodes, token, run = #codes, args[2], args[3]
end

function request()
  sent = sent + 1
  if sent >= #codes then
    wrk.thread:stop()
  end
  local n = math.min(sent, #codes)
  local body = "code=" .. codes[n] .. "&key=" .. run .. string.format("k%08d", n)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["X-CSRFToken"] = token
  headers["Content-Length"] = tostring(#body)
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  -- The fresh tick's card carries the "Seen ✓" flash; anything else is a repeat or a refusal.
  if status == 200 and body:find("flash-ok", 1, true) then
    seen = seen + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("ticks: sent %d, fresh %d, other %d, codes %d\n",
      thread:get("sent"), thread:get("seen"), thread:get("other"), thread:get("ncodes")))
  end
end
