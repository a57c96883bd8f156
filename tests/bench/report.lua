-- report.lua - wrk script of tests/bench/run.sh.
--
-- Prints one line that run.sh parses:
--   BENCH requests=N duration_s=S rps=R p50_ms=A p99_ms=B non2xx=N
--         connect=N read=N write=N timeout=N status=N
-- non2xx counts every answer outside 200-299 (wrk's own "status" error
-- counts only >= 400, so a redirect to the login page would pass unseen).
-- Counting costs a Lua call per response in wrk; both servers pay it.
--
-- Optional script argument (wrk ... URL -- N): each thread stops after N
-- responses, so that run.sh can read the portal's memory at a set count.

local threads = {}

-- Runs in the main thread once per wrk thread: keep them to sum in done().
function setup(thread)
   table.insert(threads, thread)
end

-- Runs in each thread's own Lua state.
function init(args)
   non2xx = 0
   seen = 0
   limit = tonumber(args[1] or "") or 0
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
   seen = seen + 1
   if seen == limit then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, t in ipairs(threads) do
      bad = bad + (t:get("non2xx") or 0)
   end
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f "
      .. "non2xx=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      bad, e.connect, e.read, e.write, e.timeout, e.status))
end
