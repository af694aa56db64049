-- wrk script for bench/webhooks.py: cycles through pre-signed SendGrid deliveries (one per line:
-- timestamp TAB signature TAB body), sums the "accepted"/"duplicates" counts the app answers.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  requests_list = {}
  for line in io.lines(args[1]) do
    local ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(requests_list, wrk.format("POST", "/webhooks/sendgrid", {
      ["Content-Type"] = "application/json",
      ["X-Twilio-Email-Event-Webhook-Signature"] = sig,
      ["X-Twilio-Email-Event-Webhook-Timestamp"] = ts,
    }, body))
  end
  step = tonumber(args[2])
  position = id
  accepted, duplicates, failures = 0, 0, 0
end

function request()
  local r = requests_list[(position % #requests_list) + 1]
  position = position + step
  return r
end

function response(status, headers, body)
  if status == 200 then
    accepted = accepted + (tonumber(body:match('"accepted":%s*(%d+)')) or 0)
    duplicates = duplicates + (tonumber(body:match('"duplicates":%s*(%d+)')) or 0)
  else
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local a, d, f = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    d = d + t:get("duplicates")
    f = f + t:get("failures")
  end
  io.write(string.format("RESULT accepted=%d duplicates=%d failures=%d requests=%d duration_us=%d errors=%d\n",
    a, d, f, summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
  io.write(string.format("LATENCY p50=%d p90=%d p95=%d p99=%d max=%d mean=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
