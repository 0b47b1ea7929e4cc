-- GET the first page of 20 of the caller's assets, newest first.
-- Environment: TOKEN.
wrk.method = "GET"
wrk.path = "/v1/aihub/contents?scope=mine&limit=20"
wrk.headers["X-Auth-Token"] = os.getenv("TOKEN")
