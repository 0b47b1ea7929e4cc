"""The 3-minute mixed soak of docs/reliability.md (not run by CI).

Starts aigallery-mock (a Release build, default journal of 10,000 entries),
publishes a workflow and its algorithm, then drives the mixed load of
soak_mixed.lua with wrk for DURATION seconds while sampling, every 10 s, the
mock's RSS (VmRSS) and the number of stored versions (GET /__mock/state).
Prints one line per sample and a summary: RSS when the publishing stopped,
at the end, and the bytes per stored version.

    cmake --preset release && cmake --build --preset release --target aigallery-mock
    python3 tests/reliability/soak.py build/release/aigallery-mock [DURATION] [PUBLISH_SECONDS]

Versions are published during the first PUBLISH_SECONDS (default: half of
DURATION), so that the rest of the soak shows whether RSS stays put while
reads, listings and refusals go on.
"""
import os
import subprocess
import sys
import threading
import time

from common import request, rss_kb, start_mock, stop

mock = sys.argv[1]
duration = int(sys.argv[2]) if len(sys.argv) > 2 else 180
publish_seconds = int(sys.argv[3]) if len(sys.argv) > 3 else duration // 2
here = os.path.dirname(os.path.abspath(__file__))

proc, url, tokens = start_mock(mock, "--account", "alice")
try:
    token = tokens["alice"]
    status, algo = request(url, "POST", "/v1/aihub/contents", token,
                           {"content_type": "algorithm", "title": "soak-algo"})
    assert status == 201, (status, algo)
    status, wf = request(url, "POST", "/v1/aihub/contents", token,
                         {"content_type": "workflow", "title": "soak-flow",
                          "dependencies": [{"content_id": algo["content_id"],
                                            "version_num": "1.0.0"}]})
    assert status == 201, (status, wf)

    def versions():
        _, state = request(url, "GET", "/__mock/state", timeout=60)
        return sum(len(a["versions"]) for a in state["assets"])

    env = dict(os.environ, TOKEN=token, CONTENT_ID=wf["content_id"],
               DEP_ID=algo["content_id"], PUBLISH_SECONDS=str(publish_seconds))
    load = subprocess.Popen(["wrk", "-t2", "-c8", f"-d{duration}s", "--timeout", "5s",
                             "-s", os.path.join(here, "soak_mixed.lua"), url],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    start = time.monotonic()
    samples = []
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    print("   s   RSS (kB)  versions", flush=True)
    while load.poll() is None:
        t = time.monotonic() - start
        sample = (round(t), rss_kb(proc.pid), versions())
        samples.append(sample)
        print("%4d %10d %9d" % sample, flush=True)
        time.sleep(max(0.0, 10 - (time.monotonic() - start - t)))
    out = load.stdout.read()
    samples.append((round(time.monotonic() - start), rss_kb(proc.pid), versions()))
    print("%4d %10d %9d" % samples[-1])
    print(out)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    peak = rss_kb(proc.pid, "VmHWM")
    first, last = samples[0], samples[-1]
    # one sample after the version count stopped growing (the journal's ring
    # is full by then, and the last publishes' answers are written)
    stopped = next(i for i, s in enumerate(samples) if s[2] == last[2])
    settled = samples[min(stopped + 1, len(samples) - 1)]
    per_version = (settled[1] - first[1]) * 1024 / max(1, settled[2] - first[2])
    print(f"versions stored: {last[2]}; RSS {first[1]} kB at start, {settled[1]} kB at "
          f"{settled[0]} s (publishing over), {last[1]} kB at the end; peak {peak} kB")
    print(f"about {per_version:.0f} bytes of RSS per stored version (journal included); "
          f"from {settled[0]} s to the end RSS moved "
          f"{100.0 * (last[1] - settled[1]) / settled[1]:+.1f} %")
finally:
    stop(proc)
