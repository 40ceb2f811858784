#!/usr/bin/env python3
"""web/serve.py as a browser sees it: isolation headers, MIME types, and no way out of the root;
and as a careless or hostile client sees it: bad paths, half-sent requests, a busy port.

    serve_test.py PATH/TO/serve.py
"""
import http.client
import os
import socket
import subprocess
import sys
import tempfile

serve = sys.argv[1]
failures = passes = 0


def check(name, ok, detail=""):
    global failures, passes
    if ok:
        passes += 1
    else:
        failures += 1
        print(f"FAIL: {name} {detail}")


# Sent on every response, with or without --no-isolation: resources only for this origin (what
# COEP require-corp asks of what the page loads), no stale build from a cache, and no MIME sniffing
# (a .wasm must be application/wasm for streaming compilation).
ALWAYS = {"Cross-Origin-Resource-Policy": "same-origin", "Cache-Control": "no-cache",
          "X-Content-Type-Options": "nosniff"}


def check_always_sent(what, headers):
    for name, value in ALWAYS.items():
        check(f"{what}: {name}: {value}", headers.get(name) == value, repr(headers.get(name)))


def start(root, *extra):
    proc = subprocess.Popen([sys.executable, serve, "--root", root, "--port", "0", "--quiet", *extra],
                            stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.startswith("Open http://"):
            host, port = line.split("//")[1].strip().rstrip("/").rsplit(":", 1)
            return proc, host, int(port)
    raise RuntimeError("serve.py printed no URL")


def get(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)  # the path goes out exactly as given
    conn.endheaders()
    try:
        response = conn.getresponse()
        body = response.read()
    except (http.client.HTTPException, ConnectionError) as e:  # closed without an answer
        return None, {}, repr(e).encode()
    finally:
        conn.close()
    return response.status, response.headers, body


with tempfile.TemporaryDirectory() as work:
    root = os.path.join(work, "web")
    os.mkdir(root)
    for name, text in [("index.html", "<!doctype html>"), ("flume.wasm", "\0asm"),
                       ("flume.js", "//"), ("flume.worker.js", "//")]:
        open(os.path.join(root, name), "w").write(text)
    secret = os.path.join(work, "secret.txt")
    open(secret, "w").write("SECRET-CONTENT")
    os.mkdir(os.path.join(root, "sub"))
    os.symlink(secret, os.path.join(root, "link.txt"))

    proc, host, port = start(root)
    try:
        check("the URL is on 127.0.0.1 by default", host == "127.0.0.1", host)
        status, headers, _ = get(host, port, "/")
        check("index served", status == 200, str(status))
        check("COOP same-origin", headers.get("Cross-Origin-Opener-Policy") == "same-origin")
        check("COEP require-corp", headers.get("Cross-Origin-Embedder-Policy") == "require-corp")
        check("html MIME", headers.get("Content-Type", "").startswith("text/html"))
        check_always_sent("index", headers)
        status, headers, _ = get(host, port, "/flume.wasm")
        check("wasm served as application/wasm",
              status == 200 and headers.get("Content-Type") == "application/wasm",
              f"{status} {headers.get('Content-Type')}")
        status, headers, _ = get(host, port, "/flume.worker.js")
        check("js MIME", headers.get("Content-Type") == "text/javascript",
              headers.get("Content-Type"))
        check("COEP on the worker script too",
              headers.get("Cross-Origin-Embedder-Policy") == "require-corp")
        check_always_sent("worker script", headers)
        for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                     "/sub/../../secret.txt", "/link.txt"]:
            status, _, body = get(host, port, path)
            check(f"{path} refused", status == 403 and b"SECRET-CONTENT" not in body,
                  f"{status} {body[:60]!r}")
        status, _, _ = get(host, port, "/missing.js")
        check("missing file is 404", status == 404, str(status))
        for path in ["/%00", "/index.html%00.js", "/a%0ab"]:
            status, _, _ = get(host, port, path)
            check(f"{path} is a bad request", status == 400, str(status))
        status, _, body = get(host, port, "/sub/")
        check("folders are not listed", status == 404 and b"index.html" not in body,
              f"{status} {body[:60]!r}")
        status, _, _ = get(host, port, "/index.html")
        check("still serving after the bad requests", status == 200, str(status))

        # A port in use: one line on stderr, exit status 1, no traceback.
        result = subprocess.run([sys.executable, serve, "--root", root, "--port", str(port)],
                                capture_output=True, text=True, timeout=30)
        check("a busy port is one clear message",
              result.returncode == 1 and "cannot listen" in result.stderr and
              "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1,
              result.stderr)
    finally:
        proc.terminate()
        proc.wait()

    proc, host, port = start(root, "--no-isolation")
    try:
        status, headers, _ = get(host, port, "/")
        check("--no-isolation: served", status == 200)
        check("--no-isolation: no COOP/COEP",
              "Cross-Origin-Opener-Policy" not in headers and
              "Cross-Origin-Embedder-Policy" not in headers)
        check_always_sent("--no-isolation", headers)
    finally:
        proc.terminate()
        proc.wait()

    # A request only half sent is dropped after --timeout, and meanwhile others are served.
    proc, host, port = start(root, "--timeout", "0.5")
    try:
        stalled = socket.create_connection((host, port), timeout=60)
        stalled.sendall(b"GET /index.html HTTP/1.1\r\nHost: x")  # no end of headers
        status, _, _ = get(host, port, "/index.html")
        check("others are served beside a stalled request", status == 200, str(status))
        try:
            stalled.recv(1024)  # returns once the server closes the connection
            closed = True
        except ConnectionResetError:
            closed = True
        except socket.timeout:  # still open after a minute: the thread would be held forever
            closed = False
        check("a half-sent request is closed after the timeout", closed)
        stalled.close()
    finally:
        proc.terminate()
        proc.wait()

    result = subprocess.run([sys.executable, serve, "--root", root, "--bind", "203.0.113.7",
                             "--port", "0"], capture_output=True, text=True, timeout=30)
    check("an address that cannot be bound is one clear message",
          result.returncode == 1 and "cannot listen on 203.0.113.7" in result.stderr and
          "Traceback" not in result.stderr, result.stderr)

    empty = os.path.join(work, "empty")
    os.mkdir(empty)
    result = subprocess.run([sys.executable, serve, "--root", empty, "--port", "0"],
                            capture_output=True, text=True, timeout=30)
    check("a folder without index.html is refused with a hint",
          result.returncode != 0 and "wasm-release" in result.stderr, result.stderr)

print(f"{passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
