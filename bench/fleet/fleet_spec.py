"""The simulated fleet and sweep shared by the fleet bench and its discrete-event model.

Three machines with different model sets and speeds, time scaled down about 50x: a real
27 tok/s becomes 1350 tok/s and a 30 s load 0.6 s. Each job's length is the completion
token count of the real response the fake llama-swap will replay for it.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

from testkit.fakes.recorded_responses import RecordingLibrary

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTICLE_RESULTS = REPO_ROOT.parent / "shared" / "reference" / "article-results"
EXAM_PROMPT_HINTS = {"v1": "factorial.go", "v2": "measurements.xml"}
EPISODE3_MODELS = (
    "qwen35-35b-q6k", "gemma4-26b-q4km", "gemma4-26b-mxfp4", "gemma4-26b-q5km", "qwen35-35b-q4km",
    "qwen35-35b-mxfp4", "qwen3-coder-30b-draft", "gpt-oss-20b", "gemma4-e4b-q8", "qwen35-9b-q4km",
    "qwen35-35b-q5km",
)  # fmt: skip
SEEDS = (42, 123, 456)
JOB_TOKENS = 1850  # DISPATCH_JOB_TOKENS: the one job length the dispatch expects (about episode3's mean)


@dataclass(frozen=True)
class Machine:
    """One GPU machine: its llama-swap's models, decode rate and load time."""

    host: str
    served: tuple[str, ...]
    decode_tps: float
    load_s: float


@dataclass(frozen=True)
class JobSpec:
    """One generation job and the tokens its replayed response has."""

    model: str
    exam: str
    seed: int
    tokens: int


FLEET = [
    Machine(
        "gpu-a",
        (
            "qwen35-35b-q6k",
            "qwen35-35b-q5km",
            "qwen35-35b-q4km",
            "qwen35-35b-mxfp4",
            "qwen3-coder-30b-draft",
            "gpt-oss-20b",
        ),
        decode_tps=2000.0,
        load_s=0.6,
    ),
    Machine(
        "gpu-b",
        (
            "gemma4-26b-q4km",
            "gemma4-26b-mxfp4",
            "gemma4-26b-q5km",
            "qwen35-35b-mxfp4",
            "gpt-oss-20b",
            "qwen35-9b-q4km",
        ),
        decode_tps=1350.0,
        load_s=0.6,
    ),
    Machine(
        "gpu-c",
        ("gemma4-e4b-q8", "qwen35-9b-q4km", "gpt-oss-20b", "gemma4-26b-mxfp4"),
        decode_tps=900.0,
        load_s=0.6,
    ),
]


def replay_dir() -> Path:
    """The article's published responses (beside the repo, or QUANTSWEEP_ARTICLE_RESULTS)."""
    path = Path(os.environ.get("QUANTSWEEP_ARTICLE_RESULTS") or ARTICLE_RESULTS)
    if not path.is_dir():
        raise SystemExit(
            f"bench/fleet replays the article's responses: none at {path}; set QUANTSWEEP_ARTICLE_RESULTS"
        )
    return path


def episode3_jobs(models: tuple[str, ...] = EPISODE3_MODELS) -> list[JobSpec]:
    """Model x exam x seed, in submission order, each with its replay's token count."""
    library = RecordingLibrary(replay_dir())
    jobs = []
    for model in models:
        for exam, hint in EXAM_PROMPT_HINTS.items():
            for seed in SEEDS:
                recording = library.choose(model, hint, seed)
                jobs.append(JobSpec(model, exam, seed, len(recording.pieces)))
    return jobs


def lower_bound_s(machines: list[Machine], jobs: list[JobSpec]) -> float:
    """No schedule can finish sooner (a relaxation that lets work split freely between machines).

    For every set S of machines, the models only S serves must be loaded and decoded by S:
    T >= (tokens(S) + slowest(S) * loads(S)) / speed(S), and T >= one load + tokens(S) / speed(S).
    S = one machine is "that machine's unavoidable work"; S = the fleet is "total work / machines".
    A single model split over all its servers, and the longest job plus a load, bound it too.
    """
    tokens: dict[str, int] = {}
    for job in jobs:
        tokens[job.model] = tokens.get(job.model, 0) + job.tokens
    servers = {m: {s.host for s in machines if m in s.served} for m in tokens}
    bound = 0.0
    for size in range(1, len(machines) + 1):
        for group in itertools.combinations(machines, size):
            hosts = {s.host for s in group}
            inside = [m for m in tokens if servers[m] <= hosts]
            if not inside:
                continue
            speed = sum(s.decode_tps for s in group)
            work = sum(tokens[m] for m in inside)
            min_load = min(s.load_s for s in group)
            slowest = min(s.decode_tps for s in group)
            bound = max(bound, min_load + work / speed, (work + slowest * min_load * len(inside)) / speed)
    for m, n in tokens.items():
        serving = [s for s in machines if s.host in servers[m]]
        bound = max(bound, min(s.load_s for s in serving) + n / sum(s.decode_tps for s in serving))
    for job in jobs:
        fastest = max(s.decode_tps for s in machines if job.model in s.served)
        bound = max(bound, min(s.load_s for s in machines) + job.tokens / fastest)
    return bound


def minimum_loads(jobs: list[JobSpec]) -> int:
    """Every model with jobs is loaded at least once somewhere."""
    return len({j.model for j in jobs})
