"""Helpers for the reliability checks: start aigallery-mock, talk HTTP on loopback."""
import http.client
import json
import os
import resource
import subprocess
import time


def start_mock(binary, *args, nofile=None):
    """Starts the mock; returns (process, url, {account: token}) once it listens."""
    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    proc = subprocess.Popen([binary, "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=limit)
    tokens = {}
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("mock exited: " + proc.stderr.read())
        if line.startswith("account "):
            parts = dict(p.split("=", 1) for p in line.split()[2:])
            tokens[line.split()[1]] = parts["token"]
        if line.startswith("listening on "):
            return proc, line.strip()[len("listening on "):], tokens


def host_port(url):
    host, port = url[len("http://"):].rsplit(":", 1)
    return host, int(port)


def request(url, method, target, token=None, body=None, timeout=10):
    host, port = host_port(url)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {}
    if token:
        headers["X-Auth-Token"] = token
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, target, body=body, headers=headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, (json.loads(data) if data else None)


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def raise_own_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= wanted
