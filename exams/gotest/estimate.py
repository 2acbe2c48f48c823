"""GPU time of a gotest task's generation on the article's hardware, and the `quick` set it sizes.

The estimate of one task's generation (one model, one seed):

    answer tokens = reference characters x ANSWER_TOKENS_PER_REFERENCE_CHAR
    seconds       = answer tokens / DECODE_TOKENS_PER_S + OTHER_S_PER_ANSWER

All three numbers are measured on the article's published results (Framework 13, Radeon 890M,
llama.cpp Vulkan, reasoning off; `tests/exams/test_go_tasks.py` measures them again from that data):

- ANSWER_TOKENS_PER_REFERENCE_CHAR: exam v1's answers, whole Go programs written from scratch as a
  go-task's are, average 705 tokens (as each model counted them, n=33) against 1,711 characters of
  v1's three reference solutions: 0.41. (v2's answers, edits of a given 9,682-character file, give
  0.31; the larger factor is kept so the estimate errs long.) Characters stand in for tokens on the
  reference side because no model's tokenizer is a dependency; the factor absorbs the conversion.
- DECODE_TOKENS_PER_S: the median decode rate over the 66 answers of both exams, 11 models.
- OTHER_S_PER_ANSWER: the mean of (wall time - tokens / decode rate) over the same answers: prompt
  processing, and model loading where the article's run included one.
"""

from __future__ import annotations

from collections.abc import Sequence

from exams.gotest.task import DIFFICULTIES, Task

ANSWER_TOKENS_PER_REFERENCE_CHAR = 0.41
DECODE_TOKENS_PER_S = 19.4
OTHER_S_PER_ANSWER = 14.3
QUICK_BUDGET_S = 3600.0  # one seed of one model: about an hour
QUICK_SET = "quick"


def answer_tokens(task: Task) -> float:
    """Estimated tokens of a model's answer to `task` (reference characters x the factor)."""
    return len(task.reference()) * ANSWER_TOKENS_PER_REFERENCE_CHAR


def generation_s(task: Task) -> float:
    """Estimated seconds of GPU time to generate one answer to `task` on the article's hardware."""
    return answer_tokens(task) / DECODE_TOKENS_PER_S + OTHER_S_PER_ANSWER


def quick_set(tasks: Sequence[Task], budget_s: float = QUICK_BUDGET_S) -> tuple[str, ...]:
    """The most tasks whose estimated generation fits `budget_s`, balanced across difficulty.

    Tasks are taken in the given order within each difficulty; each next one comes from the
    difficulty furthest below its share of the whole pool (ties: easy, medium, hard), and the
    selection stops at the first task that would pass the budget. Returned in the given order.
    """
    queues = {d: [t for t in tasks if t.difficulty == d] for d in DIFFICULTIES}
    pool = {d: len(q) for d, q in queues.items()}
    taken: dict[str, int] = dict.fromkeys(DIFFICULTIES, 0)
    chosen: set[str] = set()
    spent = 0.0
    while any(queues.values()):
        count = sum(taken.values()) + 1
        difficulty = min(
            (d for d in DIFFICULTIES if queues[d]),
            key=lambda d: taken[d] / count - pool[d] / len(tasks),
        )
        task = queues[difficulty].pop(0)
        cost = generation_s(task)
        if spent + cost > budget_s:
            break
        spent += cost
        taken[difficulty] += 1
        chosen.add(task.name)
    return tuple(t.name for t in tasks if t.name in chosen)
