"""The words the database stores: job and attempt states, generation outcomes and sources, worker
roles and verdicts, each defined once as a `str` Enum.

The schema's CHECK lists name the same values (`scheduler/migrations/`); `tests/scheduler/db/test_vocabulary.py`
reads them back from the live schema and fails when an enum and its column disagree. The exam
verdicts are `exams.types.Verdict` (the graders return them, and `exams` imports nothing of the
scheduler's); they are re-exported here so the DB layer's users find every stored word in one
module. A member formats as its value, so it can be written into SQL text and compared with what
a row holds.

The life of a job (`JobState`)::

    pending --submit--> queued --claim--> generating --store generation--> generated
    generated --claim--> grading --store grade--> done
    generating/grading --lease expired--> taken over by the next claim
    done --submit (server_error, gen_timeout, or --rerun)--> queued
    done --submit (grader_error)--> generated (graded again from the same generation)
"""

from __future__ import annotations

from enum import StrEnum

from exams.types import INFRA_VERDICTS, MODEL_VERDICTS, Verdict

__all__ = [
    "INFRA_VERDICTS",
    "MODEL_VERDICTS",
    "REGENERATED_VERDICTS",
    "REGRADED_VERDICTS",
    "RETRIED_VERDICTS",
    "AnswerSource",
    "AttemptState",
    "GenerationSource",
    "JobState",
    "Outcome",
    "TextEncoding",
    "Verdict",
    "WorkerRole",
    "WorkerState",
    "sql_list",
]


class JobState(StrEnum):
    """`jobs.state`."""

    PENDING = "pending"  # recorded, not enqueued
    QUEUED = "queued"  # a generate message is on its way
    GENERATING = "generating"  # a GPU worker holds the lease
    GENERATED = "generated"  # a generation is stored; a grade message is on its way
    GRADING = "grading"  # a CPU worker holds the lease
    DONE = "done"  # graded; `jobs.verdict` is set


class AttemptState(StrEnum):
    """`attempts.state`: one try at generating a job."""

    RUNNING = "running"  # a GPU worker is generating it
    FINISHED = "finished"  # its generation was stored
    ABANDONED = "abandoned"  # its worker was lost, lost the lease, or gave the job back


class Outcome(StrEnum):
    """`generations.outcome` and `attempts.outcome`: how a generation ended."""

    OK = "ok"  # the model finished its answer
    TRUNCATED = "truncated"  # it hit max_tokens or the context (finish_reason=length)
    GEN_TIMEOUT = "gen_timeout"  # it ran past the generation deadline
    SERVER_ERROR = "server_error"  # the server failed, after retries


class GenerationSource(StrEnum):
    """`generations.source`."""

    GENERATED = "generated"  # made by our GPU workers
    IMPORTED = "imported"  # loaded from elsewhere (the article's published responses)


class AnswerSource(StrEnum):
    """`generations.answer_source`: which stream field holds the answer that is graded."""

    CONTENT = "content"  # `delta.content`, as the OpenAI API intends
    REASONING = (
        "reasoning"  # `delta.reasoning_content`: the server sent no content (see worker/generation.py)
    )


class TextEncoding(StrEnum):
    """`generations.text_encoding`: how the answer columns hold the text the server sent
    (`scheduler/db/text.py`)."""

    PLAIN = "plain"  # as sent
    ESCAPED = "escaped"  # it held a code point PostgreSQL text refuses (NUL, a surrogate): escaped


class WorkerRole(StrEnum):
    """`workers.role`: which of the two kinds of worker it is (`worker gpu` or `worker cpu`)."""

    GPU = "gpu"  # generates, next to a llama-swap
    CPU = "cpu"  # grades


class WorkerState(StrEnum):
    """`workers.info->>'state'`: whether a worker process is up."""

    RUNNING = "running"  # announced itself and has not shut down
    STOPPED = "stopped"  # shut down cleanly


# Verdicts a submission runs again: infra failures that another try may not repeat. A generation
# that failed is generated again; a grade that failed (grader_error, our side) is graded again from
# the same generation. `truncated` is a result of the sweep's own max_tokens and is kept.
REGENERATED_VERDICTS = (Verdict.SERVER_ERROR, Verdict.GEN_TIMEOUT)
REGRADED_VERDICTS = (Verdict.GRADER_ERROR,)
RETRIED_VERDICTS = (*REGENERATED_VERDICTS, *REGRADED_VERDICTS)


def sql_list(*members: StrEnum) -> str:
    """Members as an SQL list of literals for `IN (...)`, e.g. `'pending', 'queued'`."""
    return ", ".join(f"'{m.value}'" for m in members)


class ConcurrencySource(StrEnum):
    """`generations.concurrency_source`: how the generations at once on a machine were counted."""

    # this worker's attempts whose run overlapped the generation's attempt, at their most
    # (attempt start to its stored result: the prompt and retries included, not only the decode)
    ATTEMPTS = "attempts"


class ProbeReason(StrEnum):
    """`speed_probes.reason`: why a machine measured its single-stream speed."""

    LOAD = "load"  # it was about to serve a model it had not probed since it started
    IDLE = "idle"  # its slots drained after a busy period
