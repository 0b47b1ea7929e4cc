-- The soak's mixed load (tests/reliability/soak.py), per wrk thread:
--   10 % POST a new auto-bumped version of the workflow (for the first
--        PUBLISH_SECONDS; then a GET instead), so stored versions grow, then stop
--   20 % GET the first page of the caller's assets
--    3 % GET a version with a token no account has (401)
--    2 % GET a version that does not exist (404)
--   65 % GET a random version among those published so far
-- The journal is never cleared: its ring bound is part of what is measured.
-- Environment: TOKEN, CONTENT_ID, DEP_ID, PUBLISH_SECONDS.
local id = os.getenv("CONTENT_ID")
local token = os.getenv("TOKEN")
local publish_for = tonumber(os.getenv("PUBLISH_SECONDS"))
local started = nil
local auth = { ["X-Auth-Token"] = token }
local publish = wrk.format("POST", "/v1/aihub/contents/" .. id .. "/versions",
   { ["X-Auth-Token"] = token, ["Content-Type"] = "application/json" },
   '{"desc":"soak","dependencies":[{"content_id":"' .. os.getenv("DEP_ID") ..
   '","version_num":"1.0.0"}]}')
local list = wrk.format("GET", "/v1/aihub/contents?scope=mine&limit=20", auth)
local stranger = wrk.format("GET", "/v1/aihub/contents/" .. id .. "/versions/1.0.0",
   { ["X-Auth-Token"] = "no-such-token" })
local missing = wrk.format("GET", "/v1/aihub/contents/" .. id .. "/versions/9.9.9", auth)
local prefix = "/v1/aihub/contents/" .. id .. "/versions/1.0."
local published = 0
math.randomseed(20261126)

request = function()
   started = started or os.time()
   local r = math.random(100)
   if r <= 10 and os.time() - started < publish_for then
      published = published + 1
      return publish
   elseif r <= 30 then
      return list
   elseif r <= 33 then
      return stranger
   elseif r <= 35 then
      return missing
   end
   -- versions 1.0.1 .. are shared by all threads; this one's count is a floor
   return wrk.format("GET", prefix .. math.random(0, published), auth)
end
