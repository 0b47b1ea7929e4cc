-- GET one version of the benchmark workflow, the same request every time.
-- Environment: TOKEN, CONTENT_ID.
local path = "/v1/aihub/contents/" .. os.getenv("CONTENT_ID") .. "/versions/1.0.0"
wrk.method = "GET"
wrk.path = path
wrk.headers["X-Auth-Token"] = os.getenv("TOKEN")
