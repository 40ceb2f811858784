#!/usr/bin/env python3
"""Serves the browser app (a folder of static files) with the headers it needs.

    web/serve.py [--root DIR] [--bind ADDR] [--port N] [--no-isolation] [--timeout S]

Defaults: the wasm-release build's web folder, 127.0.0.1, port 8080 (0 picks a free port). Every
response carries Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
require-corp, which make the page cross-origin isolated: the browser then gives it
SharedArrayBuffer, which Emscripten's pthreads need. --no-isolation leaves them out (the page
then loads its single-threaded build). .wasm files are served as application/wasm. Paths that
leave the root (.. segments, symbolic links pointing outside) are refused with 403, a path with
a NUL or other control character with 400, and folders are not listed (404). A connection that
sends nothing for --timeout seconds (default 30; a request only half sent) is closed, so it
cannot hold a thread forever. A port in use or an address that cannot be bound ends the server
with a one-line message and exit status 1. Standard library only. Prints the URL to open, then serves until interrupted.
"""
import argparse
import functools
import http.server
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.join(os.path.dirname(HERE), "build", "wasm-release", "web")


class Handler(http.server.SimpleHTTPRequestHandler):
    isolation = True
    timeout = 30  # seconds a connection may stay silent (socket timeout of StreamRequestHandler)
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".html": "text/html; charset=utf-8",
        ".vtp": "application/xml",
    }

    def end_headers(self):
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def outside_root(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if ".." in path.replace("\\", "/").split("/"):
            return True
        root = os.path.realpath(self.directory)
        target = os.path.realpath(self.translate_path(self.path))
        return os.path.commonpath([root, target]) != root

    def has_control_characters(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        return any(ord(c) < 32 or ord(c) == 127 for c in path)

    def send_head(self):
        if self.has_control_characters():
            self.send_error(400, "Bad request: control character in the path")
            return None
        if self.outside_root():
            self.send_error(403, "Forbidden: outside the web root")
            return None
        return super().send_head()

    def list_directory(self, path):
        self.send_error(404, "Not found (folders are not listed)")
        return None

    def log_message(self, format, *args):
        if not self.server.quiet:
            super().log_message(format, *args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=DEFAULT_ROOT, help="folder to serve (default: %(default)s)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="port, 0 for any free one (default: %(default)s)")
    parser.add_argument("--no-isolation", action="store_true",
                        help="leave out the COOP/COEP headers (the page falls back to one thread)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    parser.add_argument("--timeout", type=float, default=Handler.timeout,
                        help="seconds before a silent connection is closed (default: %(default)s)")
    args = parser.parse_args()
    if not 0 <= args.port <= 65535:
        sys.exit(f"serve.py: --port {args.port} is not a port number (0 to 65535)")
    if not args.timeout > 0:
        sys.exit(f"serve.py: --timeout {args.timeout} must be a positive number of seconds")

    root = os.path.abspath(args.root)
    if not os.path.isfile(os.path.join(root, "index.html")):
        sys.exit(f"serve.py: {root} has no index.html; build it first: "
                 "cmake --workflow --preset wasm-release (or scripts/run.sh web)")
    Handler.isolation = not args.no_isolation
    Handler.timeout = args.timeout
    handler = functools.partial(Handler, directory=root)
    try:
        server = http.server.ThreadingHTTPServer((args.bind, args.port), handler)
    except OSError as e:
        reason = e.strerror or str(e)
        sys.exit(f"serve.py: cannot listen on {args.bind} port {args.port}: {reason}")
    server.quiet = args.quiet
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    mode = "without isolation headers (single-threaded page)" if args.no_isolation else \
        "cross-origin isolated"
    print(f"Flume: serving {root} ({mode})", flush=True)
    print(f"Open http://{shown}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
