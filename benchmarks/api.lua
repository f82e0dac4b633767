-- One fixed request for wrk, for benchmarks/api.py.
--
--   wrk ... -s benchmarks/api.lua URL -- METHOD BODY ["Name: value" ...]
--
-- BODY is sent as is ("" for none); each further argument is a header. The request is built
-- once per thread (no request() function), so wrk sends it from a buffer without running Lua
-- per request. done() prints one line, "BENCH_JSON {...}", for the script to read.

init = function(args)
   wrk.method = args[1]
   if args[2] ~= nil and args[2] ~= "" then
      wrk.body = args[2]
   end
   for i = 3, #args do
      local name, value = args[i]:match("^([^:]+):%s*(.*)$")
      wrk.headers[name] = value
   end
end

done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
         .. '"status_errors": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
      summary.requests, summary.duration,
      math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
      e.status, e.connect, e.read, e.write, e.timeout
   ))
end
