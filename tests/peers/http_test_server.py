#!/usr/bin/python3
"""A scriptable HTTP/1.1 server for the HTTP client and Autodiscover tests.

Usage: http_test_server.py CONFIG.json [--cert PEM --key PEM]
Listens on 127.0.0.1 on a port the kernel picks and prints that port on the first line of stdout.
CONFIG holds {"routes": [...]}; the first route whose "host" (optional, Host header without port),
"method" (optional) and "path" (path without the query) match answers:
  status, headers {name: value}, body (text), basic_auth "user:password" (else 401),
  bearer "token" (else 401), delay (seconds before answering), chunks [text...] sent with
  chunked encoding and chunk_delay seconds between them, set_cookie, require_cookie (else 403),
  echo (answers a JSON description of the request).
GET /__stats answers {"connections": N, "requests": [...]} (not itself recorded).
Keep-alive: HTTP/1.1 with Content-Length, so a client may reuse one connection.
"""
import base64
import json
import socketserver
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATS = {"connections": 0, "requests": []}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with LOCK:
            STATS["connections"] += 1

    def log_message(self, fmt, *args):  # quiet: the test reads stdout
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def send_body(self, status, body, headers=None, content_type="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if not headers or not any(k.lower() == "content-type" for k in headers):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0] if not (self.headers.get("Host") or "").startswith("[") else self.headers.get("Host")
        if path == "/__stats":
            with LOCK:
                self.send_body(200, json.dumps(STATS), content_type="application/json")
            return
        record = {"method": self.command, "host": host, "path": path, "query": query,
                  "headers": {k: v for k, v in self.headers.items()}, "body": body.decode("utf-8", "replace")}
        with LOCK:
            STATS["requests"].append(record)
        for route in CONFIG.get("routes", []):
            if route.get("host") and route["host"] != host:
                continue
            if route.get("method") and route["method"] != self.command:
                continue
            if route.get("path") and route["path"] != path:
                continue
            self.answer(route, record)
            return
        self.send_body(404, "no route for %s %s%s" % (self.command, host, path))

    def answer(self, route, record):
        if route.get("delay"):
            time.sleep(route["delay"])
        auth = self.headers.get("Authorization") or ""
        if route.get("basic_auth"):
            expected = "Basic " + base64.b64encode(route["basic_auth"].encode()).decode()
            if auth != expected:
                self.send_body(401, "unauthorized", {"WWW-Authenticate": 'Basic realm="test"'})
                return
        if route.get("bearer"):
            if auth != "Bearer " + route["bearer"]:
                self.send_body(401, "unauthorized", {"WWW-Authenticate": "Bearer"})
                return
        if route.get("require_cookie"):
            if route["require_cookie"] not in (self.headers.get("Cookie") or ""):
                self.send_body(403, "cookie missing")
                return
        headers = dict(route.get("headers", {}))
        if route.get("set_cookie"):
            headers["Set-Cookie"] = route["set_cookie"]
        if route.get("chunks") is not None:
            self.send_response(route.get("status", 200))
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            for i, chunk in enumerate(route["chunks"]):
                if i and route.get("chunk_delay"):
                    time.sleep(route["chunk_delay"])
                data = chunk.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return
        if route.get("echo"):
            self.send_body(route.get("status", 200), json.dumps(record), headers, "application/json")
            return
        self.send_body(route.get("status", 200), route.get("body", ""), headers,
                       route.get("content_type", "text/xml; charset=utf-8"))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global CONFIG
    args = sys.argv[1:]
    with open(args[0]) as f:
        CONFIG = json.load(f)
    cert = key = None
    if "--cert" in args:
        cert = args[args.index("--cert") + 1]
        key = args[args.index("--key") + 1]
    server = Server(("127.0.0.1", 0), Handler)
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


CONFIG = {}
if __name__ == "__main__":
    main()
