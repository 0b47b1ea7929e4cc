-- GET a random one of the VERSIONS stored versions 1.0.0 .. 1.0.(VERSIONS-1)
-- of the benchmark workflow, so that a large state is touched all over.
-- Every 10,000th request empties the journal instead (as publish.lua does),
-- so that the memory measured afterwards is the stored versions'.
-- Environment: TOKEN, CONTENT_ID, VERSIONS.
local prefix = "/v1/aihub/contents/" .. os.getenv("CONTENT_ID") .. "/versions/1.0."
local versions = tonumber(os.getenv("VERSIONS"))
local headers = { ["X-Auth-Token"] = os.getenv("TOKEN") }
local clear = wrk.format("DELETE", "/__mock/journal")
local sent = 0
math.randomseed(20261126)

request = function()
   sent = sent + 1
   if sent % 10000 == 0 then
      return clear
   end
   return wrk.format("GET", prefix .. math.random(0, versions - 1), headers)
end
