"""kill -9 rounds (docs/reliability.md): writers publish as fast as they can
to a mock started with --state; at a random moment the mock is killed with
SIGKILL and restarted on the same file. Every write that was answered 201
must be there after the restart, and the file must always load.
Usage: kill9.py path/to/aigallery-mock [rounds=50]     (loopback only)"""
import http.client
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time

from common import host_port, request, start_mock, stop

binary = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 50
random.seed(int(os.environ.get("AIGALLERY_KILL9_SEED", "9")))
workdir = tempfile.mkdtemp(prefix="aigallery-kill9-")
state = os.path.join(workdir, "state.json")
acknowledged = set()
lock = threading.Lock()


def writer(url, token, prefix, stop_flag):
    host, port = host_port(url)
    conn = http.client.HTTPConnection(host, port, timeout=5)
    n = 0
    while not stop_flag.is_set():
        title = f"{prefix}-{n}"
        n += 1
        body = json.dumps({"content_type": "algorithm", "title": title})
        try:
            conn.request("POST", "/v1/aihub/contents", body=body,
                         headers={"X-Auth-Token": token, "Content-Type": "application/json"})
            res = conn.getresponse()
            res.read()
        except (OSError, http.client.HTTPException):
            return  # the mock was killed: this answer never came, nothing was promised
        if res.status == 201:
            with lock:
                acknowledged.add(title)


def titles_present(url, token):
    found, offset = set(), 0
    while True:
        status, page = request(url, "GET", f"/v1/aihub/contents?scope=mine&limit=100&offset={offset}",
                               token)
        assert status == 200, status
        found.update(item["title"] for item in page["items"])
        offset += page["count"]
        if offset >= page["total"] or page["count"] == 0:
            return found


lost_total, killed_with_answers = 0, 0
token = None
started = time.monotonic()
try:
    for r in range(rounds):
        args = ["--state", state] + (["--account", "alice"] if token is None else [])
        proc, url, tokens = start_mock(binary, *args)
        token = token or tokens["alice"]
        # The file loaded: everything answered before the last kill is there.
        present = titles_present(url, token)
        lost = acknowledged - present
        lost_total += len(lost)
        if lost:
            print(f"round {r}: {len(lost)} acknowledged writes lost, e.g. {sorted(lost)[:3]}")
        stop_flag = threading.Event()
        writers = [threading.Thread(target=writer, args=(url, token, f"r{r}w{w}", stop_flag))
                   for w in range(4)]
        for w in writers:
            w.start()
        time.sleep(random.uniform(0.05, 0.5))
        before = len(acknowledged)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop_flag.set()
        for w in writers:
            w.join()
        killed_with_answers += len(acknowledged) > before
    # the last round's writes, after one more restart
    proc, url, _ = start_mock(binary, "--state", state)
    lost = acknowledged - titles_present(url, token)
    lost_total += len(lost)
    stop(proc)
finally:
    shutil.rmtree(workdir, ignore_errors=True)

print(f"kill -9 rounds: {rounds}, acknowledged writes: {len(acknowledged)}, "
      f"lost: {lost_total}, every restart loaded the file ({time.monotonic() - started:.0f} s)")
sys.exit(1 if lost_total else 0)
