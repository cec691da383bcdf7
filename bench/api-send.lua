-- wrk script for bench/run api: POST /api/v1/messages, one message to one recipient per request.
-- The key comes from the environment (SENDCRAFT_BENCH_KEY); each request has its own recipient so rows differ.
local key = os.getenv("SENDCRAFT_BENCH_KEY")
local from = os.getenv("SENDCRAFT_BENCH_FROM") or "news@bench.test"
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"from":{"address":"%s","name":"Bench Shop"},"to":[{"address":"user%d.%d@example.org","name":"Bench User"}],' ..
    '"subject":"Your order %d has shipped","html":"<p>Hello, your order <b>%d</b> is on its way.</p>",' ..
    '"text":"Hello, your order %d is on its way.","tags":["order"],"metadata":{"order_id":%d}}',
    from, thread_id, counter, counter, counter, counter, counter)
  return wrk.format("POST", "/api/v1/messages",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end
