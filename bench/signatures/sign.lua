-- wrk script for bench/signatures: every request is one distinct verified user signing once.
--
-- Environment (read by each thread):
--   BENCH_USERS    file with lines "user_id session_key csrf_secret" (written by bench_signatures_seed)
--   BENCH_PATH     request path, e.g. /petitions/12/sign/ or /bench/bare-sign/10/
--   BENCH_THREADS  the -t value (each thread takes its own contiguous slice of the users)
--   BENCH_FIRST    index of the first user to use (default 0), BENCH_COUNT how many (default: all the rest)
--   BENCH_OUT      where done() writes the result (JSON) and BENCH_OUT.acked (ids answered 2xx)
--
-- Run with one connection per thread (-tN -cN): then each thread has exactly one request in flight,
-- so response() belongs to the user of the last request() and the acknowledged ids are exact.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("tid", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   local nthreads = tonumber(os.getenv("BENCH_THREADS"))
   local first = tonumber(os.getenv("BENCH_FIRST") or "0")
   local all = {}
   for line in io.lines(os.getenv("BENCH_USERS")) do
      all[#all + 1] = line
   end
   local count = tonumber(os.getenv("BENCH_COUNT") or tostring(#all - first))
   local per = math.floor(count / nthreads)
   local lo = first + tid * per + 1
   mine = {}
   for i = lo, lo + per - 1 do
      local id, key, csrf = all[i]:match("^(%S+) (%S+) (%S+)$")
      mine[#mine + 1] = {
         id = id,
         req = wrk.format("POST", os.getenv("BENCH_PATH"), {
            ["Cookie"] = "sessionid=" .. key .. "; csrftoken=" .. csrf,
            ["X-CSRFToken"] = csrf,
            ["HX-Request"] = "true",
            ["Content-Type"] = "application/x-www-form-urlencoded",
         }, ""),
      }
   end
   all = nil
   pos = 0
   sent = 0
   ok = 0
   non2xx = 0
   exhausted = 0
   statuses = {}
   acked = {}
   current = nil
end

function request()
   pos = pos + 1
   local u = mine[pos]
   if u == nil then
      -- Out of distinct users: repeat the last one (answers 409) and stop this thread.
      exhausted = exhausted + 1
      u = mine[#mine]
      wrk.thread:stop()
   else
      sent = sent + 1
   end
   current = u.id
   return u.req
end

function response(status, headers, body)
   local s = tostring(status)
   statuses[s] = (statuses[s] or 0) + 1
   if status >= 200 and status < 300 then
      ok = ok + 1
      acked[#acked + 1] = current
   else
      non2xx = non2xx + 1
   end
end

function done(summary, latency, requests)
   local out = os.getenv("BENCH_OUT")
   local sent_t, ok_t, non_t, exh_t = 0, 0, 0, 0
   local status_t = {}
   local ackf = io.open(out .. ".acked", "w")
   local sentf = io.open(out .. ".sent", "w")
   for _, thread in ipairs(threads) do
      sent_t = sent_t + thread:get("sent")
      ok_t = ok_t + thread:get("ok")
      non_t = non_t + thread:get("non2xx")
      exh_t = exh_t + thread:get("exhausted")
      for k, v in pairs(thread:get("statuses")) do
         status_t[k] = (status_t[k] or 0) + v
      end
      for _, id in ipairs(thread:get("acked")) do
         ackf:write(id, "\n")
      end
      -- the users a thread sent are the first `sent` of its slice, in order
      sentf:write(thread:get("tid"), " ", thread:get("sent"), "\n")
   end
   ackf:close()
   sentf:close()
   local parts = {}
   for k, v in pairs(status_t) do
      parts[#parts + 1] = string.format('"%s": %d', k, v)
   end
   local e = summary.errors
   local f = io.open(out, "w")
   f:write(string.format(
      '{"duration_us": %d, "requests": %d, "sent": %d, "ok": %d, "non2xx": %d, "exhausted": %d, ' ..
      '"statuses": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "p999": %d, "max": %d, "mean": %.1f}}\n',
      summary.duration, summary.requests, sent_t, ok_t, non_t, exh_t, table.concat(parts, ", "),
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
      latency.max, latency.mean))
   f:close()
   io.write(string.format("signatures/s %.1f  p50 %.1f ms  p99 %.1f ms  non-2xx %d\n",
      ok_t / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, non_t))
end
