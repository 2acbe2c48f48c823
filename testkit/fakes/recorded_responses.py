"""Recorded model responses replayed by the fake llama-swap (real text, never invented).

A replay directory has the article's published layout:
``exam_<exam>/<model>/seed<S>/response.txt`` with an optional ``result.json`` beside it
whose ``tokens`` field is the completion token count the real server reported. A recorded
multi-turn conversation adds ``turn<N>.txt`` beside it for its N-th answer (``response.txt`` is the
first): a request is answered with the turn it asks for (one more than its assistant messages), or
the last recorded one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

# Characters per token when a recording carries no token count (close to what
# llama.cpp's tokenizers give on Go code and English prose).
CHARS_PER_TOKEN = 4

# Words in a prompt that say which exam it is; used to pick a recording of that exam.
EXAM_HINTS: dict[str, tuple[str, ...]] = {
    "v1": ("factorial", "wordfreq", "filetreewalk"),
    "v2": ("measurements.xml", "metricsink", "inverter", "buffer-size"),
}


@dataclass(frozen=True)
class Recording:
    """One recorded response: its text split into the tokens it is streamed as."""

    exam: str
    model: str
    seed: int
    pieces: tuple[str, ...]

    @property
    def text(self) -> str:
        """The whole response text."""
        return "".join(self.pieces)


def split_into_tokens(text: str, n_tokens: int) -> tuple[str, ...]:
    """Cut text into n_tokens consecutive pieces of near-equal length (lossless)."""
    n = max(1, min(n_tokens, len(text)))
    bounds = [round(i * len(text) / n) for i in range(n + 1)]
    return tuple(text[bounds[i] : bounds[i + 1]] for i in range(n))


def stable_index(key: str, n: int) -> int:
    """A deterministic index in range(n) from a string (same on every run and host)."""
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % n


class RecordingLibrary:
    """All recordings under a replay directory, looked up by model, exam and seed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_key: dict[tuple[str, str, int], Recording] = {}
        self._later: dict[tuple[str, str, int, int], Recording] = {}  # (exam, model, seed, turn >= 2)
        for response in sorted(root.glob("exam_*/*/seed*/response.txt")):
            seed_dir = response.parent
            exam = seed_dir.parent.parent.name.removeprefix("exam_")
            model = seed_dir.parent.name
            seed = int(seed_dir.name.removeprefix("seed"))
            text = response.read_text(encoding="utf-8")
            n_tokens = max(1, len(text) // CHARS_PER_TOKEN)
            result = seed_dir / "result.json"
            if result.exists():
                n_tokens = int(json.loads(result.read_text()).get("tokens", n_tokens))
            pieces = split_into_tokens(text, n_tokens)
            self._by_key[(exam, model, seed)] = Recording(exam, model, seed, pieces)
            for later in sorted(seed_dir.glob("turn*.txt")):
                turn_text = later.read_text(encoding="utf-8")
                turn_pieces = split_into_tokens(turn_text, max(1, len(turn_text) // CHARS_PER_TOKEN))
                turn = int(later.stem.removeprefix("turn"))
                self._later[(exam, model, seed, turn)] = Recording(exam, model, seed, turn_pieces)
        if not self._by_key:
            raise ValueError(f"replay dir {root}: no exam_*/<model>/seed*/response.txt found")

    def __len__(self) -> int:
        return len(self._by_key)

    def choose(self, model: str, prompt: str, seed: int | None, turn: int = 1) -> Recording:
        """The recording for this request: same exam, the model's own if recorded, the seed's if any;
        for a later turn of a conversation, that turn's answer (or the last one recorded)."""
        exams = sorted({k[0] for k in self._by_key})
        exam = guess_exam(prompt, exams)
        models = sorted({k[1] for k in self._by_key if k[0] == exam})
        if model not in models:
            model = models[stable_index(model, len(models))]
        seeds = sorted(k[2] for k in self._by_key if k[0] == exam and k[1] == model)
        chosen = seed if seed in seeds else seeds[stable_index(f"{seed}:{prompt}", len(seeds))]
        later = [t for (e, m, s, t) in self._later if (e, m, s) == (exam, model, chosen) and t <= turn]
        if later:
            return self._later[(exam, model, chosen, max(later))]
        return self._by_key[(exam, model, chosen)]


def guess_exam(prompt: str, exams: list[str]) -> str:
    """The exam a prompt belongs to, by its tell-tale words; else one picked from the prompt's hash."""
    lowered = prompt.lower()
    for exam in exams:
        if any(word in lowered for word in EXAM_HINTS.get(exam, ())):
            return exam
    return exams[stable_index(prompt, len(exams))]
