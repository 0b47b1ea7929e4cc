-- GET a random one of the VERSIONS stored versions 1.0.0 .. 1.0.(VERSIONS-1)
-- of the benchmark workflow, so that a large state is touched all over.
-- The mock's journal stays on at its default bound (the last 10,000
-- requests), a fixed cost that the per-version memory slope leaves out.
-- Environment: TOKEN, CONTENT_ID, VERSIONS.
local prefix = "/v1/aihub/contents/" .. os.getenv("CONTENT_ID") .. "/versions/1.0."
local versions = tonumber(os.getenv("VERSIONS"))
local headers = { ["X-Auth-Token"] = os.getenv("TOKEN") }
math.randomseed(20261126)

request = function()
   return wrk.format("GET", prefix .. math.random(0, versions - 1), headers)
end
