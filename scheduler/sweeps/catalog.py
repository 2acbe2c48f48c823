"""The model catalog and sweep files: YAML in `SWEEPS_DIR`, validated on load.

Every error names the file, the field and the fix, e.g.
`sweep file quant-gemma4.yaml: seeds[1] must be an integer, got 'abc'`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exams.types import PromptStyle
from scheduler.core.errors import SweepFileError, UnknownSweepError
from scheduler.fleet.tripwires import COUNTS as TRIPWIRE_COUNTS
from scheduler.fleet.tripwires import KEYS as TRIPWIRE_KEYS
from scheduler.stats.comparisons import AdaptiveRules

CATALOG_FILE = "models.yaml"
MODEL_KEYS = {"label", "family", "quant", "size_gb", "generation", "prompt_style"}
GENERATION_OPTION_KEYS = {"reasoning", "draft_model"}
SWEEP_KEYS = {"description", "models", "exams", "seeds", "generation", "adaptive", "tripwires", "turns"}
MAX_SWEEP_TURNS = 5  # exams.manifest.MAX_TURNS: each exam's own `turns` bounds it further
ADAPTIVE_KEYS = {"max_seeds", "margin", "confidence", "prune_after_compile_zero"}
GENERATION_KEYS = {"temperature", "context", "max_tokens", "timeout_s"}
# llama.cpp's seed is a uint32 and 0xFFFFFFFF (what -1 becomes) means "random": the largest fixed seed.
MAX_SEED = 2**32 - 2


@dataclass(frozen=True)
class Model:
    """One catalog entry: a model id llama-swap serves, with how to show and query it."""

    id: str
    label: str
    family: str
    quant: str | None
    size_gb: float | None
    options: Mapping[str, Any] = field(default_factory=dict)
    # chat (default), or completion for a base model: the exams that declare a file start are asked
    # as plain completions of it (exams.registry.exam_prompt), the others in chat
    prompt_style: PromptStyle = PromptStyle.CHAT


@dataclass(frozen=True)
class GenerationParams:
    """Generation settings of a sweep; the article's defaults."""

    temperature: float = 1.0
    context: int = 16384
    max_tokens: int = 16384
    timeout_s: int = 600


@dataclass(frozen=True)
class Sweep:
    """A sweep file: which models, exams and seeds to run, with which generation settings."""

    name: str
    description: str
    models: tuple[str, ...]
    exams: tuple[str, ...]
    seeds: tuple[int, ...]
    generation: GenerationParams
    path: Path
    adaptive: AdaptiveRules | None = None
    tripwires: Mapping[str, float | bool] = field(
        default_factory=dict
    )  # overrides of scheduler.fleet.tripwires.Tripwires
    turns: int = 1  # repair turns per job (1: one generation graded once); see exams.feedback


def load_catalog(directory: Path) -> dict[str, Model]:
    """Read and validate `models.yaml` in `directory`."""
    path = directory / CATALOG_FILE
    where = f"catalog {path.name}"
    data = _read_yaml(path, where)
    models = _require(data, "models", dict, where, "a mapping of model id to its entry")
    catalog: dict[str, Model] = {}
    for model_id, entry in models.items():
        field_ = f"models.{model_id}"
        if not isinstance(entry, dict):
            raise SweepFileError(f"{where}: {field_} must be a mapping with label and family")
        _reject_unknown(entry, MODEL_KEYS, where, field_)
        options = entry.get("generation") or {}
        if not isinstance(options, dict):
            raise SweepFileError(f"{where}: {field_}.generation must be a mapping")
        _reject_unknown(options, GENERATION_OPTION_KEYS, where, f"{field_}.generation")
        if "reasoning" in options and not isinstance(options["reasoning"], bool):
            raise SweepFileError(f"{where}: {field_}.generation.reasoning must be true or false")
        size = entry.get("size_gb")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int | float)):
            raise SweepFileError(f"{where}: {field_}.size_gb must be a number of GB or null, got {size!r}")
        style = entry.get("prompt_style", PromptStyle.CHAT.value)
        if style not in {s.value for s in PromptStyle}:
            raise SweepFileError(
                f"{where}: {field_}.prompt_style must be chat or completion (for a base model), got {style!r}"
            )
        catalog[str(model_id)] = Model(
            id=str(model_id),
            label=_text(entry, "label", where, field_),
            family=_text(entry, "family", where, field_),
            quant=str(entry["quant"]) if entry.get("quant") is not None else None,
            size_gb=float(size) if size is not None else None,
            options=dict(options),
            prompt_style=PromptStyle(style),
        )
    return catalog


def sweep_names(directory: Path) -> list[str]:
    """Names of the sweep files in `directory` (every *.yaml but the catalog)."""
    return sorted(p.stem for p in directory.glob("*.yaml") if p.name != CATALOG_FILE)


def _unknown_exam_hint(entry: str, known_exams: Sequence[str]) -> str:
    """Why a sweep's exam entry is unknown: the sets of its exam for `exam:set`, else the exams."""
    exam, colon, _ = entry.partition(":")
    sets = [e for e in known_exams if e.startswith(f"{exam}:")]
    if colon and exam in known_exams:
        return f"is not a set of {exam}; use one of: {', '.join(sets) or 'none'}"
    shown = [e for e in known_exams if ":" not in e and "/" not in e]
    return (
        f"is not a known exam; use one of: {', '.join(shown)}, "
        "or a set (exam:set) or an item (exam/item) of one, see `exams list --items`"
    )


def load_sweep(directory: Path, name: str, catalog: Mapping[str, Model], known_exams: Sequence[str]) -> Sweep:
    """Read and validate the sweep file `name`.yaml against the catalog and the known exams."""
    path = directory / f"{name}.yaml"
    if name == Path(CATALOG_FILE).stem or not path.is_file():
        available = ", ".join(sweep_names(directory)) or "none"
        raise UnknownSweepError(f"no sweep named {name!r} in {directory} (available: {available})")
    where = f"sweep file {path.name}"
    data = _read_yaml(path, where)
    _reject_unknown(data, SWEEP_KEYS, where, "the top level")
    models = _list(data, "models", str, where)
    for i, model in enumerate(models):
        if model not in catalog:
            raise SweepFileError(
                f"{where}: models[{i}] {model!r} is not in the catalog {CATALOG_FILE}; "
                f"add it there or use one of: {', '.join(sorted(catalog))}"
            )
    exams = _list(data, "exams", str, where)
    for i, exam in enumerate(exams):
        if exam not in known_exams:
            raise SweepFileError(f"{where}: exams[{i}] {exam!r} {_unknown_exam_hint(exam, known_exams)}")
    seeds = _list(data, "seeds", int, where)
    for i, seed in enumerate(seeds):
        if not 0 <= seed <= MAX_SEED:
            raise SweepFileError(
                f"{where}: seeds[{i}] is {seed}; a seed must be from 0 to {MAX_SEED} (llama.cpp takes "
                f"seeds as 32-bit unsigned and {MAX_SEED + 1} or -1 as 'random', which cannot be reproduced)"
            )
    return Sweep(
        name=name,
        description=str(data.get("description") or ""),
        models=tuple(models),
        exams=tuple(exams),
        seeds=tuple(seeds),
        generation=_generation(data.get("generation"), where),
        path=path,
        adaptive=_adaptive(data.get("adaptive"), where, len(seeds)),
        tripwires=_tripwires(data.get("tripwires"), where),
        turns=_turns(data.get("turns", 1), where),
    )


def _turns(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_SWEEP_TURNS:
        raise SweepFileError(f"{where}: turns must be an integer from 1 to {MAX_SWEEP_TURNS}, got {raw!r}")
    return raw


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (YAML 1.2 requires keys to be
    unique; PyYAML would keep the last silently, so `models:` written twice would drop a line)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path, where: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SweepFileError(f"{where}: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SweepFileError(
            f"{where}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); save it as UTF-8"
        ) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: builds plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SweepFileError(f"{where}: YAML syntax error{at}: {problem}; fix the syntax there") from None
    if not isinstance(data, dict):
        raise SweepFileError(f"{where}: must be a YAML mapping (key: value lines), got {type(data).__name__}")
    return data


def _require(data: Mapping[str, Any], key: str, kind: type, where: str, what: str) -> Any:
    if key not in data or data[key] is None:
        raise SweepFileError(f"{where}: missing field {key!r}; add {key}: {what}")
    value = data[key]
    if not isinstance(value, kind):
        raise SweepFileError(f"{where}: field {key!r} must be {what}, got {type(value).__name__}")
    return value


def _list(data: Mapping[str, Any], key: str, kind: type, where: str) -> list[Any]:
    noun = "integers" if kind is int else "names"
    items = _require(data, key, list, where, f"a non-empty list of {noun}, e.g. [a, b]")
    if not items:
        raise SweepFileError(f"{where}: field {key!r} is empty; list at least one")
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, kind):
            wanted = "an integer" if kind is int else "a string"
            raise SweepFileError(f"{where}: {key}[{i}] must be {wanted}, got {item!r}")
    if len(set(items)) != len(items):
        dup = next(x for x in items if items.count(x) > 1)
        raise SweepFileError(f"{where}: {key} lists {dup!r} twice; list each once")
    return list(items)


def _text(entry: Mapping[str, Any], key: str, where: str, field_: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SweepFileError(f"{where}: {field_}.{key} is missing; add {key}: <text>")
    return value


def _reject_unknown(data: Mapping[str, Any], allowed: set[str], where: str, field_: str) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise SweepFileError(
            f"{where}: unknown field {unknown[0]!r} in {field_}; allowed: {', '.join(sorted(allowed))}"
        )


def _generation(raw: Any, where: str) -> GenerationParams:
    if raw is None:
        return GenerationParams()
    if not isinstance(raw, dict):
        raise SweepFileError(f"{where}: generation must be a mapping of {', '.join(sorted(GENERATION_KEYS))}")
    _reject_unknown(raw, GENERATION_KEYS, where, "generation")
    checks: dict[str, tuple[Callable[[Any], bool], str]] = {
        "temperature": (lambda v: isinstance(v, int | float) and 0 <= v <= 5, "a number from 0 to 5"),
        "context": (lambda v: isinstance(v, int) and v >= 256, "an integer of at least 256 tokens"),
        "max_tokens": (lambda v: isinstance(v, int) and v >= 1, "a positive integer"),
        "timeout_s": (lambda v: isinstance(v, int) and v >= 1, "a positive integer of seconds"),
    }
    for key, (ok, wanted) in checks.items():
        if key in raw and (isinstance(raw[key], bool) or not ok(raw[key])):
            raise SweepFileError(f"{where}: generation.{key} must be {wanted}, got {raw[key]!r}")
    defaults = GenerationParams()
    params = GenerationParams(
        temperature=float(raw.get("temperature", defaults.temperature)),
        context=int(raw.get("context", defaults.context)),
        max_tokens=int(raw.get("max_tokens", defaults.max_tokens)),
        timeout_s=int(raw.get("timeout_s", defaults.timeout_s)),
    )
    if params.max_tokens > params.context:
        raise SweepFileError(
            f"{where}: generation.max_tokens {params.max_tokens} is above generation.context {params.context}"
            " (the prompt and the answer share the context); lower max_tokens or raise context"
        )
    return params


def _adaptive(raw: Any, where: str, start_seeds: int) -> AdaptiveRules | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SweepFileError(f"{where}: adaptive must be a mapping of {', '.join(sorted(ADAPTIVE_KEYS))}")
    _reject_unknown(raw, ADAPTIVE_KEYS, where, "adaptive")
    checks: dict[str, tuple[Callable[[Any], bool], str]] = {
        "max_seeds": (
            lambda v: isinstance(v, int) and start_seeds <= v <= 20,
            f"an integer from the sweep's {start_seeds} seed(s) to 20 (the length of the adaptive seed sequence)",
        ),
        "margin": (
            lambda v: isinstance(v, int | float) and math.isfinite(v) and v > 0,
            "a positive number of points",
        ),
        "confidence": (
            lambda v: isinstance(v, float) and 0.5 < v < 1,
            "a number between 0.5 and 1, e.g. 0.95",
        ),
        "prune_after_compile_zero": (lambda v: isinstance(v, int) and v >= 1, "a positive integer of runs"),
    }
    for key, (ok, wanted) in checks.items():
        if key in raw and (isinstance(raw[key], bool) or not ok(raw[key])):
            raise SweepFileError(f"{where}: adaptive.{key} must be {wanted}, got {raw[key]!r}")
    defaults = AdaptiveRules()
    return AdaptiveRules(
        max_seeds=int(raw.get("max_seeds", defaults.max_seeds)),
        margin=float(raw.get("margin", defaults.margin)),
        confidence=float(raw.get("confidence", defaults.confidence)),
        prune_after_compile_zero=int(raw.get("prune_after_compile_zero", defaults.prune_after_compile_zero)),
    )


def _tripwires(raw: Any, where: str) -> dict[str, float | bool]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SweepFileError(
            f"{where}: tripwires must be a mapping of {', '.join(sorted(TRIPWIRE_KEYS))}"
            " (to turn them off, set each to false)"
        )
    _reject_unknown(raw, set(TRIPWIRE_KEYS), where, "tripwires")
    for key, value in raw.items():
        if key == "pause":
            if not isinstance(value, bool):
                raise SweepFileError(
                    f"{where}: tripwires.pause must be true or false (flag without pausing), got {value!r}"
                )
            continue
        if value is False:
            continue
        if key in TRIPWIRE_COUNTS:
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise SweepFileError(
                    f"{where}: tripwires.{key} counts jobs or models: a positive whole number or false (off),"
                    f" got {value!r}"
                )
        elif (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise SweepFileError(
                f"{where}: tripwires.{key} must be a positive number of seconds or false (off), got {value!r}"
            )
    return dict(raw)
