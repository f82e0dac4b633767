-- A mixed workload for wrk, for benchmarks/load.py.
--
--   wrk ... -s benchmarks/load.lua URL -- PLAN_FILE RUN_ID
--
-- PLAN_FILE holds one request a line: METHOD <tab> PATH <tab> BODY ("-" for none), then one
-- "Name: value" header a field. request() sends the lines in turn (each wrk thread from its
-- own place in the list; wrk gives Lua no handle on a connection, so the turn is per thread
-- and every connection gets the mix in the same proportions). "@SID@" in a path or body
-- becomes a new submission id each time: RUN_ID (8 hex digits), the thread and a counter, in
-- the shape of a UUID, unique for the run. response() counts status classes and 202s (only
-- POST /transfer answers 202); done() prints one line, "LOAD_JSON {...}".

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   table.insert(threads, thread)
end

local plan = {}
local position = 0
local run_id = "00000000"
local sequence = 0

local function split(line)
   local fields = {}
   for value in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, value)
   end
   return fields
end

function init(args)
   run_id = args[2]
   for line in io.lines(args[1]) do
      if line ~= "" then
         local f = split(line)
         local headers = {}
         for i = 4, #f do
            local name, value = f[i]:match("^([^:]+):%s*(.*)$")
            headers[name] = value
         end
         local body = f[3] ~= "-" and f[3] or nil
         local entry = { method = f[1], path = f[2], headers = headers, body = body }
         if f[2]:find("@SID@", 1, true) or (body and body:find("@SID@", 1, true)) then
            entry.dynamic = true
         else
            entry.raw = wrk.format(f[1], f[2], headers, body)
         end
         table.insert(plan, entry)
      end
   end
   position = ((tid or 1) - 1) * 7 % #plan
   n1, n2, n3, n4, n5, accepted = 0, 0, 0, 0, 0, 0
   first_5xx = ""
end

function request()
   position = position % #plan + 1
   local entry = plan[position]
   if entry.raw then
      return entry.raw
   end
   sequence = sequence + 1
   local sid = string.format("%s-%04x-4000-8000-%012x", run_id, tid or 1, sequence)
   local body = entry.body and entry.body:gsub("@SID@", sid) or nil
   return wrk.format(entry.method, (entry.path:gsub("@SID@", sid)), entry.headers, body)
end

function response(status, headers, body)
   local class = math.floor(status / 100)
   if class == 2 then
      n2 = n2 + 1
      if status == 202 then
         accepted = accepted + 1
      end
   elseif class == 4 then
      n4 = n4 + 1
   elseif class == 5 then
      n5 = n5 + 1
      if first_5xx == "" then
         first_5xx = tostring(status) .. " " .. (body or ""):sub(1, 300)
      end
   elseif class == 3 then
      n3 = n3 + 1
   else
      n1 = n1 + 1
   end
end

local function quote(s)
   return '"' .. s:gsub('[%c"\\]', function(c)
      return string.format("\\u%04x", c:byte())
   end) .. '"'
end

function done(summary, latency, requests)
   local totals = { n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0, accepted = 0 }
   local sample = ""
   for _, thread in ipairs(threads) do
      for key, _ in pairs(totals) do
         totals[key] = totals[key] + (thread:get(key) or 0)
      end
      if sample == "" then
         sample = thread:get("first_5xx") or ""
      end
   end
   local e = summary.errors
   io.write(string.format(
      'LOAD_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
         .. '"max_us": %d, "s1xx": %d, "s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, '
         .. '"accepted": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
         .. '"first_5xx": %s}\n',
      summary.requests, summary.duration,
      math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
      latency.max, totals.n1, totals.n2, totals.n3, totals.n4, totals.n5, totals.accepted,
      e.connect, e.read, e.write, e.timeout, quote(sample)
   ))
end
