"""`worker gpu` started beside its server: it waits while the server starts or loads, and stops with
one line only when LLAMA_SWAP_URL is no model server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scheduler.core.settings import Settings
from testkit.fakes.recorded_server import RecordedServer
from testkit.services import free_port
from testkit.workers import REPO_ROOT, fleet
from worker.client import STARTUP_MAX_PAUSE_S, ChatClient
from worker.errors import NotAModelServer, ServerNotReady

MODEL = "m"
ENV = {"WORKER_HOST": "starting", "DISPATCH": "all"}


def client_for(handler: httpx.MockTransport) -> ChatClient:
    return ChatClient("http://server", transport=handler)


def answer(status: int, body: str, content_type: str = "application/json") -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda request: httpx.Response(status, headers={"content-type": content_type}, text=body)
    )


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


@pytest.mark.parametrize(
    "transport",
    [
        answer(503, '{"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}'),
        answer(502, "upstream not ready", "text/plain"),
        httpx.MockTransport(refused),
    ],
    ids=["503 loading", "502 proxy", "connection refused"],
)
def test_a_server_still_starting_is_not_ready(transport: httpx.MockTransport) -> None:
    with pytest.raises(ServerNotReady, match="LLAMA_SWAP_URL=http://server"):
        client_for(transport).served_models()


@pytest.mark.parametrize(
    "transport",
    [
        answer(404, '{"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}}'),
        answer(401, '{"error": {"message": "Invalid API Key", "type": "authentication_error"}}'),
        answer(200, "<html><body>router login</body></html>", "text/html"),
        answer(200, '{"models": ["m"]}'),
        answer(200, '{"data": 3}'),
    ],
    ids=["404", "401", "html page", "no data list", "data not a list"],
)
def test_an_answer_that_is_no_openai_model_list_is_a_misconfiguration(transport: httpx.MockTransport) -> None:
    with pytest.raises(NotAModelServer, match="LLAMA_SWAP_URL=http://server/v1/models"):
        client_for(transport).served_models()


def test_waiting_backs_off_doubling_to_a_cap_with_one_line_a_wait() -> None:
    statuses = iter([503] * 7 + [200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(statuses)
        body = {"data": [{"id": MODEL}]} if status == 200 else {"error": {"message": "Loading model"}}
        return httpx.Response(status, json=body)

    lines: list[str] = []
    pauses: list[float] = []
    models = client_for(httpx.MockTransport(handler)).wait_for_models(lines.append, pauses.append)
    assert models == [MODEL]
    assert pauses == [1, 2, 4, 8, 16, STARTUP_MAX_PAUSE_S, STARTUP_MAX_PAUSE_S]
    assert len(lines) == 7 and all("Loading model" in line for line in lines)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.mark.slow
def test_worker_gpu_waits_for_a_server_that_loads_and_for_one_that_is_not_listening_yet(
    settings: Settings, tmp_path: Path, port: int
) -> None:
    loading = RecordedServer([MODEL], models_statuses=[503, 503]).start()
    late: list[RecordedServer] = []  # bound only once the worker has been refused, so it must wait
    refused_line = "does not answer yet (ConnectError"
    stopped = threading.Event()

    def start_when_refused() -> None:
        log = tmp_path / "gpu_late.log"
        while not stopped.wait(0.2):
            if log.exists() and refused_line in log.read_text(errors="replace"):
                late.append(RecordedServer([MODEL], port=port).start())
                return

    starter = threading.Thread(target=start_when_refused, daemon=True)
    try:
        with fleet(settings.database_url, settings.redis_url, tmp_path, **ENV) as f:
            first = f.start("gpu", "gpu@loading", LLAMA_SWAP_URL=loading.url)
            assert (
                "is not ready (HTTP 503: unavailable_error: Loading model); trying again in 1 s"
                in first.log_path.read_text()
            )
            starter.start()
            second = f.start("gpu", "gpu@late", LLAMA_SWAP_URL=f"http://127.0.0.1:{port}")
            assert refused_line in second.log_path.read_text() and late
    finally:
        stopped.set()
        if starter.is_alive():
            starter.join()
        loading.stop()
        for server in late:
            server.stop()


@pytest.fixture
def server() -> Iterator[RecordedServer]:
    recorded = RecordedServer([MODEL]).start()
    yield recorded
    recorded.stop()


def test_worker_gpu_pointed_at_something_else_exits_with_one_line(
    settings: Settings, server: RecordedServer
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "PYTHONPATH": str(REPO_ROOT),
        "LLAMA_SWAP_URL": f"{server.url}/not-a-model-server",
    }
    proc = subprocess.run(
        [sys.executable, "-c", "from worker.cli import main; main()", "gpu"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "not-a-model-server/v1/models answered HTTP 404" in lines[0]
