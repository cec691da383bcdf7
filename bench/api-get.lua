-- wrk script for bench/run api (where the time goes): GET /api/v1/messages/1, authenticated, one indexed read.
local key = os.getenv("SENDCRAFT_BENCH_KEY")
function request()
  return wrk.format("GET", "/api/v1/messages/1", { ["Authorization"] = "Bearer " .. key })
end
