-- wrk script shared by every case of bench/run.py.
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    the request body (POST), sent with Content-Type: application/json
--   BENCH_AUTH    the Authorization header value (kept out of the command line)
--   BENCH_OUT     where done() writes a JSON summary (requests, errors, latency percentiles)
-- The request stays static (no request() function), so wrk formats it once per thread.

function init(args)
  wrk.method = os.getenv("BENCH_METHOD") or "GET"
  local auth = os.getenv("BENCH_AUTH")
  if auth and auth ~= "" then
    wrk.headers["Authorization"] = auth
  end
  local body = os.getenv("BENCH_BODY")
  if body and body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
  end
end

function done(summary, latency, requests)
  local out = os.getenv("BENCH_OUT")
  if not out or out == "" then
    return
  end
  local f = assert(io.open(out, "w"))
  local e = summary.errors
  f:write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"min":%d,"max":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
  f:close()
end
