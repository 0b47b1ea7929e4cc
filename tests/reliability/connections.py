"""Abuse by connections and bodies (docs/reliability.md):
  1. 1,100 idle connections to a mock limited to 1,024 descriptors: it keeps
     answering (503 beyond its connection limit), and after the idle timeout
     every idle connection is closed and a request gets 200;
  2. a slowloris client (one header byte every 0.5 s) is closed at the header timeout;
  3. four concurrent 60 MiB POSTs to /v1 leave the mock's peak RSS under 50 MB.
Usage: connections.py path/to/aigallery-mock    (loopback only; exits 1 on a failed promise)"""
import socket
import sys
import threading
import time

from common import raise_own_fd_limit, request, rss_kb, start_mock, stop, host_port

binary = sys.argv[1]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def idle_connections():
    idle_timeout = 3
    if not raise_own_fd_limit(1400):
        print("skip idle connections: cannot open 1,100 descriptors in this process")
        return
    proc, url, _ = start_mock(binary, "--idle-timeout", str(idle_timeout), nofile=1024)
    host, port = host_port(url)
    try:
        held = []
        for _ in range(1100):
            s = socket.create_connection((host, port), timeout=5)
            held.append(s)
        time.sleep(0.5)
        started = time.monotonic()
        status, _ = request(url, "GET", "/__mock/health")
        check(status in (200, 503),
              f"with 1,100 idle connections open, the mock still answers at once ({status})")
        # each connection either was turned away (503, closed) or is closed at the idle timeout
        closed = 0
        deadline = time.monotonic() + idle_timeout + 5
        turned_away = 0
        for s in held:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            got = b""
            try:
                while True:
                    data = s.recv(4096)
                    if not data:
                        closed += 1
                        break
                    got += data
            except socket.timeout:
                pass
            except OSError:
                closed += 1  # a reset is a close too
            turned_away += got.startswith(b"HTTP/1.1 503")
            s.close()
        waited = time.monotonic() - started
        check(closed == 1100, f"all 1,100 idle connections closed by the mock ({closed}; "
                              f"{turned_away} of them at once with 503 beyond its limit) "
                              f"within {waited:.1f} s (idle timeout {idle_timeout} s)")
        status, _ = request(url, "GET", "/__mock/health")
        check(status == 200, f"after the idle timeout a request gets 200 ({status})")
    finally:
        stop(proc)


def slowloris():
    header_timeout = 2
    proc, url, _ = start_mock(binary, "--header-timeout", str(header_timeout))
    try:
        s = socket.create_connection(host_port(url), timeout=1)
        header = b"GET /__mock/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
        started = time.monotonic()
        closed_after = None
        for byte in header:
            try:
                s.send(bytes([byte]))
                s.settimeout(0.5)
                if s.recv(1) == b"":
                    closed_after = time.monotonic() - started
                    break
            except socket.timeout:
                continue
            except OSError:
                closed_after = time.monotonic() - started
                break
        s.close()
        check(closed_after is not None and closed_after < header_timeout + 1.5,
              f"a slowloris client (1 byte / 0.5 s) is closed after "
              f"{closed_after if closed_after is None else round(closed_after, 1)} s "
              f"(header timeout {header_timeout} s)")
    finally:
        stop(proc)


def oversize_bodies():
    proc, url, tokens = start_mock(binary, "--account", "alice")
    host, port = host_port(url)
    try:
        before = rss_kb(proc.pid)
        answers = []

        def post():
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(b"POST /v1/aihub/contents HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " +
                      tokens["alice"].encode() +
                      b"\r\nContent-Type: application/json\r\nContent-Length: 62914560\r\n\r\n")
            chunk = b"x" * 65536
            try:
                for _ in range(960):  # 60 MiB, as long as the mock reads
                    s.sendall(chunk)
            except OSError:
                pass
            try:
                answers.append(s.recv(4096).split(b"\r\n", 1)[0].decode())
            except OSError as e:
                answers.append(str(e))
            s.close()

        threads = [threading.Thread(target=post) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = rss_kb(proc.pid, "VmHWM")
        check(all(a.startswith("HTTP/1.1 413") for a in answers), f"four 60 MiB POSTs: {answers}")
        check(peak < 50 * 1024, f"peak RSS {peak / 1024:.1f} MB under four 60 MiB POSTs "
                                f"(was {before / 1024:.1f} MB; promise: < 50 MB)")
    finally:
        stop(proc)


idle_connections()
slowloris()
oversize_bodies()
sys.exit(1 if failures else 0)
