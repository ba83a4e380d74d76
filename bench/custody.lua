-- wrk script: check-out and return POSTs as the asset page sends them (htmx,
-- target #status-card), "Check out to me" then "Return", round the assets in
-- a file. With more assets than connections, an asset's next action is sent
-- only after its last one was answered, so every request should succeed.
--
--   wrk -s bench/custody.lua http://host -- <codes file> <csrf token> <run>

codes, out, token, run, sent, ok, other = {}, {}, "", "", 0, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then codes[#codes + 1] = line end
  end
  token, run = args[2], args[3]
end

function request()
  sent = sent + 1
  local n = (sent - 1) % #codes + 1
  local code = codes[n]
  local action = out[n] and "return" or "checkout"
  out[n] = not out[n]
  local body = "key=" .. run .. string.format("c%09d", sent)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["X-CSRFToken"] = token
  headers["HX-Request"] = "true"
  headers["HX-Target"] = "status-card"
  headers["Content-Length"] = tostring(#body)
  return wrk.format("POST", "/A/" .. code .. "/" .. action, headers, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end
