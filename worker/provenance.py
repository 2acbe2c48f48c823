"""Where a speed figure or a generation came from: the server, the model file, the machine.

    server    `/props`: build_info, total_slots, n_ctx, and the generation settings that change
              speed or text where the server reports them (speculative decoding, reasoning format
              and budget, KV cache types)
    model     the GGUF's size in bytes and a SHA-256 of its content, when the file at `/props`
              `model_path` is readable on this machine (hashed once per path, size and mtime,
              kept in `hash_cache_file()`)
    machine   CPU model (`/proc/cpuinfo`), GPU names (`nvidia-smi`, where installed), the CPU
              frequency governor (`/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor`) and
              the ACPI platform profile (`/sys/firmware/acpi/platform_profile`) where the OS shows them

Every part is best effort: what the machine or server does not show is left out, never guessed.
The keys that must agree for two speed figures to be compared are `scheduler.db.speed.CONDITION_KEYS`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

from scheduler.core.settings import get_settings
from worker.client import ChatClient

# Generation settings in `/props` default_generation_settings(.params) that change speed or text.
SETTING_KEYS = (
    "speculative.type",
    "speculative.n_max",
    "speculative.n_min",
    "speculative.p_min",
    "reasoning_format",
    "reasoning_budget",
    "thinking_forced_open",
    "cache_type_k",
    "cache_type_v",
    "n_batch",
    "n_ubatch",
    "flash_attn",
)
HASH_CHUNK_BYTES = 1 << 20


def server_provenance(client: ChatClient, model: str) -> dict[str, Any]:
    """The server's and model file's part, from `GET /props?model=` ({} where it has none)."""
    props = client.props(model)
    if not props:
        return {}
    general = props.get("default_generation_settings") or {}
    params = general.get("params") or {} if isinstance(general, dict) else {}
    settings = {k: params[k] for k in SETTING_KEYS if isinstance(params, dict) and k in params}
    info: dict[str, Any] = {
        "build_info": props.get("build_info"),
        "model_path": props.get("model_path"),
        "total_slots": props.get("total_slots"),
        "n_ctx": general.get("n_ctx") if isinstance(general, dict) else None,
    }
    if settings:
        info["settings"] = settings
    path = props.get("model_path")
    if isinstance(path, str):
        info.update(model_identity(path))
    return {k: v for k, v in info.items() if v is not None}


def model_identity(path: str) -> dict[str, Any]:
    """`model_bytes` and `model_sha256` of a readable file ({} otherwise)."""
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    digest = _sha256(path, stat.st_size, stat.st_mtime_ns)
    return {"model_bytes": stat.st_size} | ({"model_sha256": digest} if digest else {})


def hash_cache_file() -> Path:
    """Where model hashes are kept between processes: `QUANTSWEEP_CACHE` or ~/.cache/quantsweep."""
    return get_settings().cache_dir / "model-sha256.json"


@functools.lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int) -> str | None:
    """The file's SHA-256, read once per (path, size, mtime) on this machine: a GGUF of tens of GB
    takes minutes, so every worker process shares the result through `hash_cache_file()`."""
    key = f"{path}|{size}|{mtime_ns}"
    cache = hash_cache_file()
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if isinstance(known, dict) and isinstance(known.get(key), str):
        return str(known[key])
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as file:
            while chunk := file.read(HASH_CHUNK_BYTES):
                digest.update(chunk)
    except OSError:
        return None
    known = known if isinstance(known, dict) else {}
    known[key] = digest.hexdigest()
    try:  # written whole then renamed: a reader never sees half a file
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}")
        partial.write_text(json.dumps(known, indent=1), encoding="utf-8")
        partial.replace(cache)
    except OSError:
        pass  # a read-only home: hashed again by the next process
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def machine_provenance() -> dict[str, Any]:
    """This machine's CPU, GPUs, CPU governor and platform profile, where the OS shows them."""
    info: dict[str, Any] = {"cpu": _cpu_model() or platform.processor() or platform.machine()}
    gpu = _gpu_names()
    if gpu:
        info["gpu"] = gpu
    for key, file in (
        ("cpu_governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        ("platform_profile", "/sys/firmware/acpi/platform_profile"),
    ):
        value = _read(file)
        if value:
            info[key] = value
    return info


def provenance(client: ChatClient, model: str) -> dict[str, Any]:
    """Server, model file and machine together: what a speed figure is stored with."""
    return {**server_provenance(client, model), **machine_provenance()}


def _cpu_model() -> str | None:
    text = _read("/proc/cpuinfo") or ""
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return None


def _gpu_names() -> str | None:
    binary = shutil.which("nvidia-smi")
    if binary is None:
        return None
    try:
        done = subprocess.run([binary, "--query-gpu=name", "--format=csv,noheader"],
                              capture_output=True, text=True, timeout=10, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = [n.strip() for n in done.stdout.splitlines() if n.strip()]
    return ", ".join(names) if done.returncode == 0 and names else None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").strip() or None
    except OSError:
        return None
