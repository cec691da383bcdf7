-- wrk script for bench/run api: POST /api/v1/messages/batch with SENDCRAFT_BENCH_BATCH messages (default 100) per request.
local key = os.getenv("SENDCRAFT_BENCH_KEY")
local from = os.getenv("SENDCRAFT_BENCH_FROM") or "news@bench.test"
local size = tonumber(os.getenv("SENDCRAFT_BENCH_BATCH") or "100")
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function request()
  local items = {}
  for i = 1, size do
    counter = counter + 1
    items[i] = string.format(
      '{"from":{"address":"%s"},"to":[{"address":"b%d.%d@example.org"}],"subject":"Receipt %d","text":"Thank you for order %d."}',
      from, thread_id, counter, counter, counter)
  end
  return wrk.format("POST", "/api/v1/messages/batch",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" },
    '{"messages":[' .. table.concat(items, ",") .. ']}')
end
