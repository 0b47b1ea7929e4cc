-- POST a new auto-bumped (patch) version of the benchmark workflow: a short
-- desc, one dependency, no source, private (inherited). The journal stays on
-- at its default bound (the last 10,000 requests): a fixed cost, which the
-- per-version memory slope of benchmarks/run leaves out. With STOP_AFTER, the thread stops
-- once that many answers came back (to publish a given number of versions),
-- and creates the file DONE_FILE: wrk itself runs on until its duration is
-- over or it gets SIGINT, which benchmarks/run sends when the file appears.
-- Environment: TOKEN, CONTENT_ID, DEP_ID, STOP_AFTER and DONE_FILE (optional).
local path = "/v1/aihub/contents/" .. os.getenv("CONTENT_ID") .. "/versions"
local body = '{"desc":"bench","dependencies":[{"content_id":"' .. os.getenv("DEP_ID") ..
             '","version_num":"1.0.0"}]}'
local headers = { ["X-Auth-Token"] = os.getenv("TOKEN"), ["Content-Type"] = "application/json" }
local publish = wrk.format("POST", path, headers, body)
local stop_after = tonumber(os.getenv("STOP_AFTER") or "0")
local done_file = os.getenv("DONE_FILE")
local answered = 0

request = function()
   return publish
end

if stop_after > 0 then
   response = function(status, headers, body)
      answered = answered + 1
      if answered == stop_after then
         wrk.thread:stop()
         if done_file then
            io.open(done_file, "w"):close()
         end
      end
   end
end
