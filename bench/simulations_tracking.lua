-- wrk script of bench/simulations_tracking.py: a fixed number of requests, then stop.
--
--   wrk -t1 -c500 -d300s --timeout 30s -s bench/simulations_tracking.lua URL -- MODE SOURCE THREADS
--
-- MODE "hits": SOURCE is a file of tokens, one a line; token i is hit once, an open
-- (GET /t/<token>/px.gif) when i is even, a click our page's script saw a person make
-- (POST /t/<token>/h?h=1) when i is odd. MODE "path": SOURCE is "<path> <count>", the
-- same GET made count times (the peer: a static file of the same server).
--
-- Each request is reserved in delay(), which wrk calls before every request of a
-- connection: once all are reserved, the connections that are free wait (a long delay)
-- instead of sending more, and the thread stops at the last answer. So the server gets
-- exactly the requests asked for, and every one of them is timed. wrk's main thread
-- sleeps for the whole -d duration whatever its threads do, so the last answer also
-- interrupts it (SIGINT, as Ctrl-C would); the bench therefore runs one wrk thread (-t1),
-- and the seconds reported are those from the first request to the last answer.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]])
local clock = ffi.new("bench_timespec")
local function monotonic()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = {}
local BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
  .. "Chrome/131.0 Safari/537.36"

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local mode, source, nthreads = args[1], args[2], tonumber(args[3])
  local headers = { ["User-Agent"] = BROWSER }
  local post = { ["User-Agent"] = BROWSER, ["Content-Length"] = "0" }
  requests = {}
  if mode == "hits" then
    local i = 0
    for token in io.lines(source) do
      if i % nthreads == id then
        if i % 2 == 0 then
          table.insert(requests, wrk.format("GET", "/t/" .. token .. "/px.gif", headers))
        else
          table.insert(requests, wrk.format("POST", "/t/" .. token .. "/h?h=1", post))
        end
      end
      i = i + 1
    end
  else
    local path, count = source:match("^(%S+) (%d+)$")
    local request = wrk.format("GET", path, headers)
    for i = 0, tonumber(count) - 1 do
      if i % nthreads == id then
        table.insert(requests, request)
      end
    end
  end
  reserved, sent, answered, unreserved, failed = 0, 0, 0, 0, 0
  first, last = 0, 0
end

function delay()
  if reserved < #requests then
    reserved = reserved + 1
    return 0
  end
  return 3600000 -- nothing left for this connection: wait until the thread stops
end

function request()
  if sent < reserved then
    if sent == 0 then
      first = monotonic()
    end
    sent = sent + 1
    return requests[sent]
  end
  -- wrk calls request() once at start to check the script, and again without delay()
  -- when it reconnects a connection: counted, never taken from the reserved ones.
  unreserved = unreserved + 1
  return requests[math.max(sent, 1)]
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 400 then
    failed = failed + 1
  end
  if answered == #requests then
    last = monotonic()
    wrk.thread:stop()
    -- SIGINT ends wrk's main sleep only when the main thread takes it: send it once this
    -- thread has ended (then main is the only thread left), a few times to be sure.
    os.execute("(for i in 1 2 3 4 5 6; do sleep 0.3; kill -INT $PPID || exit; done) &")
  end
end

function done(summary, latency, requests)
  local answered_all, failed_all, unreserved_all = 0, 0, -1 -- -1: wrk's own check
  for _, thread in ipairs(threads) do
    answered_all = answered_all + thread:get("answered")
    failed_all = failed_all + thread:get("failed")
    unreserved_all = unreserved_all + thread:get("unreserved")
    seconds = thread:get("last") - thread:get("first")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"answered":%d,"http_errors":%d,"unreserved":%d,"seconds":%.3f,'
      .. '"p50_ms":%.1f,"p90_ms":%.1f,"p99_ms":%.1f,"max_ms":%.1f,'
      .. '"socket_errors":%d}\n',
    answered_all, failed_all, unreserved_all, seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
