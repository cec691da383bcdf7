-- wrk script for bench/run tracking: GET /t/c/<token> over the tokens the benchmark wrote (one per seeded message),
-- each thread starting at its own random place and going round.
local tokens = {}
local i = 0
function init(args)
  for line in io.lines(os.getenv("SENDCRAFT_BENCH_TOKENS")) do tokens[#tokens + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  i = math.random(#tokens)
end
-- SENDCRAFT_BENCH_DELAY_MS paces each connection (wrk waits that long before its next request): an offered load instead
-- of as fast as the app answers.
local pause = tonumber(os.getenv("SENDCRAFT_BENCH_DELAY_MS") or "0")
function delay()
  return pause
end
function request()
  i = i % #tokens + 1
  return wrk.format("GET", tokens[i], { ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) bench" })
end
