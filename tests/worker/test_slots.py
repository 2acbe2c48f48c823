"""A GPU machine's slots: GPU_SLOTS, else the server's `/props` total_slots, else one."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from scheduler.core.errors import SettingsError
from scheduler.core.settings import DispatchSettings
from testkit.workers import REPO_ROOT
from worker.client import ChatClient
from worker.slots import Slots, machine_slots


def server_with_props(status: int, props: dict[str, object]) -> ChatClient:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/props" and request.url.params["model"] == "m"
        return httpx.Response(status, json=props)

    return ChatClient("http://server", transport=httpx.MockTransport(handler))


def test_the_servers_total_slots_set_the_capacity_unless_gpu_slots_says_otherwise() -> None:
    client = server_with_props(200, {"total_slots": 4, "build_info": "b1-abc"})
    assert machine_slots(client, ["m"], DispatchSettings.from_env({}).slots) == Slots(4, "/props total_slots")
    assert machine_slots(client, ["m"], DispatchSettings.from_env({"GPU_SLOTS": "3"}).slots) == Slots(
        3, "GPU_SLOTS"
    )


@pytest.mark.parametrize("status, props", [(404, {}), (200, {"total_slots": 0}), (200, {"total_slots": "2"})])
def test_a_server_without_a_usable_slot_count_runs_one_generation_at_a_time(
    status: int, props: dict[str, object]
) -> None:
    assert machine_slots(server_with_props(status, props), ["m"], None) == Slots(1, "default")


@pytest.mark.parametrize("raw", ["two", "0", "-1", "257", "1.5"])
def test_a_bad_gpu_slots_is_refused_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="GPU_SLOTS"):
        DispatchSettings.from_env({"GPU_SLOTS": raw})


def test_worker_gpu_with_a_bad_gpu_slots_exits_with_one_line_before_waiting_for_its_server() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "GPU_SLOTS": "many",
        "LLAMA_SWAP_URL": "http://127.0.0.1:9",
    }
    proc = subprocess.run(
        [sys.executable, "-c", "from worker.cli import main; main()", "gpu"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "GPU_SLOTS" in lines[0] and "'many'" in lines[0], proc.stderr
