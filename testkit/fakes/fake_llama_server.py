"""FAKE llama-server that starts and answers everything but generation, which it fails.

A real llama-server on a broken machine can look healthy and still fail every generation (a
model that cannot be decoded, a backend error): the demo must then end at once, saying so, rather
than wait on jobs that the infrastructure tripwire has paused. This stand-in takes llama-server's
command line (`--alias`, `--host`, `--port`; the rest is ignored) and serves, as llama-server does:

- ``GET /health`` (``{"status": "ok"}``), ``GET /v1/models`` (the alias), ``GET /props``
  (``build_info`` ``b0000-fake``), ``POST /apply-template`` (Gemma's turns, as the demo checks);
- ``POST /v1/completions`` and ``POST /v1/chat/completions``: after ``--fail-after-s`` seconds,
  HTTP 500 with llama-server's error envelope (``format_error_response``, type ``server_error``).

Run: ``python -m testkit.fakes.fake_llama_server --alias M --port 8080 [--fail-after-s 2]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BUILD_INFO = "b0000-fake"
GENERATION_PATHS = ("/v1/completions", "/v1/chat/completions", "/completion")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """llama-server's options this stand-in reads; every other one is accepted and ignored."""
    parser = argparse.ArgumentParser(prog="fake_llama_server")
    parser.add_argument("--alias", default="model")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--model", default="model.gguf")
    parser.add_argument("--fail-after-s", type=float, default=2.0)
    args, _ = parser.parse_known_args(argv)
    return args


def handler(args: argparse.Namespace) -> type[BaseHTTPRequestHandler]:
    """The request handler for one stand-in server."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *items: Any) -> None:  # the stdlib's name
            print(format % items, flush=True)

        def reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = self.path.partition("?")[0]
            if path == "/health":
                self.reply(200, {"status": "ok"})
            elif path in ("/v1/models", "/models"):
                self.reply(200, {"object": "list", "data": [{"id": args.alias, "object": "model"}]})
            elif path == "/props":
                props = {"build_info": BUILD_INFO, "model_path": args.model, "total_slots": 1}
                self.reply(200, {**props, "default_generation_settings": {"n_ctx": 8192}})
            else:
                self.reply(404, error(404, "not_found_error", "File Not Found"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path == "/apply-template":
                content = body["messages"][0]["content"]
                self.reply(
                    200, {"prompt": f"<start_of_turn>user\n{content}<end_of_turn>\n<start_of_turn>model\n"}
                )
            elif self.path in GENERATION_PATHS:
                time.sleep(args.fail_after_s)
                self.reply(500, error(500, "server_error", "fake llama-server: decoding failed"))
            else:
                self.reply(404, error(404, "not_found_error", "File Not Found"))

    return Handler


def error(code: int, kind: str, message: str) -> dict[str, Any]:
    """llama-server's error body (`format_error_response`)."""
    return {"error": {"code": code, "message": message, "type": kind}}


def main(argv: list[str] | None = None) -> None:
    """Serve until killed."""
    args = parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), handler(args))
    print(f"fake llama-server listening on http://{args.host}:{args.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
