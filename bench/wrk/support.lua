-- Support writes through the API: POST then, some requests later, DELETE the same support,
-- rotating over many (resident token, action) pairs so requests are not duplicates of one row.
--   BENCH_PAIRS   file with lines "<token> <action id>" (bench/generate.py writes it)
--   BENCH_SLUG    campaign slug;  BENCH_THREADS  wrk -t;  BENCH_LAG  requests between a POST and its DELETE
-- Each wrk thread takes its own slice of pairs. Status codes are printed at the end (STATUS_COUNTS).

local slug = os.getenv("BENCH_SLUG")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
local lag = tonumber(os.getenv("BENCH_LAG") or "100")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local mine, next_post, next_del, toggle, verified = {}, 0, 0, false, false
statuses = {}

function init(args)
  local i = 0
  for line in io.lines(os.getenv("BENCH_PAIRS")) do
    local token, action = line:match("^(%S+)%s+(%d+)$")
    if token then
      if i % nthreads == tid then
        mine[#mine + 1] = { "/api/v1/campaigns/" .. slug .. "/actions/" .. action .. "/support", "Bearer " .. token }
      end
      i = i + 1
    end
  end
end

local function post(p)
  return wrk.format("POST", p[1], { ["Authorization"] = p[2], ["Content-Type"] = "application/json" }, "{}")
end

function request()
  local p
  if tid == 0 and not verified then
    -- wrk calls request() once on the first thread to check the script, and discards the result:
    -- answer without advancing, or the DELETE of pair 1 would find nothing (a spurious 404).
    verified = true
    return post(mine[1])
  end
  toggle = not toggle
  if next_post - next_del < lag or toggle then
    next_post = next_post + 1
    return post(mine[(next_post - 1) % #mine + 1])
  end
  next_del = next_del + 1
  p = mine[(next_del - 1) % #mine + 1]
  return wrk.format("DELETE", p[1], { ["Authorization"] = p[2] })
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  io.write("STATUS_COUNTS {" .. table.concat(parts, ", ") .. "}\n")
end
