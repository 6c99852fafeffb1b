-- wrk script for the Kompas benchmarks.
--
-- Run with as many threads as connections (-t N -c N): each thread then has
-- one connection, so request() and response() strictly alternate and the
-- script can time every request itself and file it under its endpoint.
--
-- Arguments (after --): mode tokens_file dilemma_id first count rate out_file
--   mode       healthz | current | answer | results | flow | stats (the
--              admin statistics of the dilemma, with the tokens as admin tokens)
--   tokens     a file with one installation token per line
--   first      the first token (1-based) of this run's slice
--   count      how many tokens the slice has; a thread uses every N-th one
--   rate       total requests per second (0: as fast as the server answers).
--              Rate-limited latency counts from the moment a request was
--              due, not from when it was sent (no coordinated omission).
--   out_file   where done() writes one line per request: endpoint status us
--   threads    the number of threads (= connections)
--   once       "once": each thread uses each token of its share once and
--              stops (the full burst); it then leaves out_file.done.<index>
--              behind so that the caller can stop wrk when all are done
--
-- The answer and flow modes use every token once; when the slice runs out a
-- thread starts over, and the tokens it takes after that are counted as
-- "reused" (an answer is then a repeat, not a first answer). The answer
-- mode also leaves out_file.answered behind: the tokens whose answer was
-- accepted (wrk asks request() again when it has to reconnect, so a token
-- taken is not always a token sent), for the results run.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kompas_timespec;
int clock_gettime(int clock_id, kompas_timespec *tp);
]]
local clock = ffi.new("kompas_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

local OPTIONS = { "A", "B", "C", "D" }
local MODES = { "alone", "colleague" }

function init(args)
  mode, tokens_file, dilemma, first, count, rate, out_file =
    args[1], args[2], args[3], tonumber(args[4]), tonumber(args[5]), tonumber(args[6]), args[7]
  tokens = {}
  if tokens_file ~= "-" then
    local all = {}
    for line in io.lines(tokens_file) do
      all[#all + 1] = line
    end
    local total_threads = tonumber(args[8])
    for i = first + index - 1, first + count - 1, total_threads do
      tokens[#tokens + 1] = all[i]
    end
    all = nil
  end
  once = args[9] == "once"
  cursor, step, reused, wrapped = 1, 1, 0, false
  first_us, last_us = 0, 0
  samples = {}
  interval = rate > 0 and (tonumber(args[8]) * 1000000 / rate) or 0
  -- Spread the threads' first requests over one interval.
  due = now_us() + interval * (index - 1) / tonumber(args[8])
  started = nil
  endpoint = nil
  sent_token = nil
  answered = {}
end

local function next_token()
  if cursor > #tokens then
    cursor, wrapped = 1, true
  end
  if wrapped then
    reused = reused + 1
  end
  local token = tokens[cursor]
  cursor = cursor + 1
  sent_token = token
  return token
end

local function get(path, token, name)
  endpoint = name
  return wrk.format("GET", path, token and { ["Authorization"] = "Bearer " .. token } or {})
end

local function put_answer(token, n)
  endpoint = "answer"
  local body = string.format(
    '{"option": "%s", "mode": "%s", "difficulty": %d}',
    OPTIONS[n % 4 + 1], MODES[n % 7 % 2 + 1], n % 5 + 1
  )
  return wrk.format("PUT", "/api/v1/dilemmas/" .. dilemma .. "/answer",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

local sent = 0
local flow_token = nil

function request()
  sent = sent + 1
  local now = now_us()
  started = (interval > 0 and due < now) and due or now
  if first_us == 0 then
    first_us = started
  end
  if mode == "healthz" then
    return get("/healthz", nil, "healthz")
  elseif mode == "current" then
    return get("/api/v1/dilemmas/current", next_token(), "current")
  elseif mode == "answer" then
    return put_answer(next_token(), sent)
  elseif mode == "results" then
    return get("/api/v1/dilemmas/" .. dilemma .. "/results", next_token(), "results")
  elseif mode == "stats" then
    return get("/api/v1/admin/stats/dilemmas/" .. dilemma, next_token(), "stats")
  else -- flow: current -> answer -> results, one installation after another
    if step == 1 then
      flow_token = next_token()
      return get("/api/v1/dilemmas/current", flow_token, "current")
    elseif step == 2 then
      return put_answer(flow_token, sent)
    else
      return get("/api/v1/dilemmas/" .. dilemma .. "/results", flow_token, "results")
    end
  end
end

function response(status, headers, body)
  last_us = now_us()
  samples[#samples + 1] = string.format("%s %d %d", endpoint, status, last_us - started)
  if mode == "answer" and status == 200 and not wrapped then
    answered[#answered + 1] = sent_token
  end
  local finished = (mode ~= "flow" or step == 3) and cursor > #tokens
  step = step % 3 + 1
  if once and finished then
    io.open(out_file .. ".done." .. index, "w"):close()
    wrk.thread:stop()
  end
end

function delay()
  if interval <= 0 then
    return 0
  end
  due = due + interval
  local wait = (due - now_us()) / 1000
  return wait > 0 and wait or 0
end

function done(summary, latency, requests)
  -- done() runs in the main Lua state: the arguments live in the threads.
  local out_file = threads[1]:get("out_file")
  local out = io.open(out_file, "w")
  local answered = io.open(out_file .. ".answered", "w")
  local reuse, first, last = 0, math.huge, 0
  for _, thread in ipairs(threads) do
    first = math.min(first, thread:get("first_us"))
    last = math.max(last, thread:get("last_us"))
    for _, line in ipairs(thread:get("samples")) do
      out:write(line, "\n")
    end
    reuse = reuse + thread:get("reused")
    for _, token in ipairs(thread:get("answered")) do
      answered:write(token, "\n")
    end
  end
  answered:close()
  local e = summary.errors
  out:write(string.format(
    "# duration_us=%d requests=%d connect=%d read=%d write=%d timeout=%d status=%d reused=%d busy_us=%d\n",
    summary.duration, summary.requests, e.connect, e.read, e.write, e.timeout, e.status, reuse, last - first))
  out:close()
end
