#!/usr/bin/env python3
"""Serves the browser app (a folder of static files) with the headers it needs.

    web/serve.py [--root DIR] [--bind ADDR] [--port N] [--no-isolation]

Defaults: the wasm-release build's web folder, 127.0.0.1, port 8080 (0 picks a free port). Every
response carries Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
require-corp, which make the page cross-origin isolated: the browser then gives it
SharedArrayBuffer, which Emscripten's pthreads need. --no-isolation leaves them out (the page
then loads its single-threaded build). .wasm files are served as application/wasm. Paths that
leave the root (.. segments, symbolic links pointing outside) are refused with 403.
Standard library only. Prints the URL to open, then serves until interrupted.
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

    def send_head(self):
        if self.outside_root():
            self.send_error(403, "Forbidden: outside the web root")
            return None
        return super().send_head()

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
    args = parser.parse_args()

    root = os.path.abspath(args.root)
    if not os.path.isfile(os.path.join(root, "index.html")):
        sys.exit(f"serve.py: {root} has no index.html; build it first: "
                 "cmake --workflow --preset wasm-release (or scripts/run.sh web)")
    Handler.isolation = not args.no_isolation
    handler = functools.partial(Handler, directory=root)
    server = http.server.ThreadingHTTPServer((args.bind, args.port), handler)
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
