-- wrk script: check-out and return POSTs as the asset page sends them (htmx,
-- target #status-card), "Check out to me" then "Return", round the assets in
-- a file. With more assets than connections, an asset's next action is sent
-- only after its last one was answered, so every request should succeed.
--
-- Which action an asset gets next follows the state its last answer showed,
-- not the requests made: wrk calls request() once before the run to check the
-- script, and that request is never sent.
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
  local code = codes[(sent - 1) % #codes + 1]
  local action = out[code] and "return" or "checkout"
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

-- response() runs in each wrk thread's own Lua state and done() in the main
-- one, so the first few failures travel as one string through thread:get.
threads, failures, failed = {}, "", 0

function setup(thread)
  threads[#threads + 1] = thread
end

function response(status, headers, body)
  -- The new status card names the asset (as XXX-XXX) and its status.
  local shown = body:match('<p class="code">([^<]*)</p>')
  if shown then
    out[shown:gsub("-", "")] = body:find("status%-card status%-checked_out") ~= nil
  end
  if status == 200 then
    ok = ok + 1
  else
    other = other + 1
    if failed < 5 then
      failed = failed + 1
      -- The flash message says why ("Already checked out to ...").
      local said = body:match('class="flash[^"]*"[^>]*>%s*(.-)%s*<') or body:sub(1, 200)
      local code = body:match('<p class="code">([^<]*)</p>') or "?"
      failures = failures .. "failed: " .. status .. " " .. code .. " " .. said .. "\n"
    end
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(thread:get("failures"))
  end
end
