"""v2's qualification cases: the reference, the baseline and known-bad variants with their exact grades.

Each known-bad case is the reference program with a few exact text edits (each
must match once), so its defect reads here in one place; `lost` names the
tests it must fail, every other test must pass. `exams verify --exam v2`
grades all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from exams.registry import QualificationCase
from exams.types import Verdict
from exams.v2.harness import TEST_NAMES

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Defect:
    """The reference edited one way, and the tests it must then fail."""

    name: str
    edits: tuple[tuple[str, str], ...]
    lost: tuple[str, ...]
    why: str


DEFECTS = (
    Defect(
        "intn_of_empty_buffer",
        (("\tif b.capacity <= 0 {\n\t\treturn false\n\t}\n", ""),),
        ("BufferSizeZero",),
        "rand.Intn(len(buf)) panics when -buffer-size is 0",
    ),
    Defect(
        "evicts_oldest",
        (
            (
                "b.pending[rand.Intn(len(b.pending))] = e",
                "_ = rand.Intn\n\t\tb.pending = append(b.pending[1:], e)",
            ),
        ),
        ("EvictionRandom",),
        "first-in first-out eviction instead of a random victim",
    ),
    Defect(
        "drops_newest",
        (("b.pending[rand.Intn(len(b.pending))] = e", "_ = rand.Intn // full: the new metric is dropped"),),
        ("EvictionRandom",),
        "a full buffer drops the incoming metric",
    ),
    Defect(
        "unbounded_buffer",
        (("if len(b.pending) < b.capacity {", "if len(b.pending) >= 0 {"),),
        ("BufferBounded", "EvictionRandom", "BufferSizeOne"),
        "the buffer grows without limit",
    ),
    Defect(
        "unlocked_buffer_read",
        (("\tb.mu.Lock()\n\tdefer b.mu.Unlock()\n\treturn len(b.pending)", "\treturn len(b.pending)"),),
        ("RaceDetector",),
        "the retry goroutine reads the buffer without the lock",
    ),
    Defect(
        "flushes_on_next_scrape",
        (
            (
                "\tif err == nil {\n\t\treturn nil\n\t}",
                "\tif err == nil {\n\t\t_, _ = b.flush()\n\t\treturn nil\n\t}",
            ),
            ("\t\tif b.Len() == 0 {\n\t\t\tcontinue", "\t\tif b.Len() >= 0 {\n\t\t\tcontinue"),
        ),
        ("FlushOnReconnect",),
        "buffered metrics go out only after the next successful live write",
    ),
    Defect(
        "ignores_sigint",
        (
            (
                "signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)",
                "signal.NotifyContext(context.Background(), syscall.SIGTERM)\n\tsignal.Ignore(os.Interrupt)",
            ),
        ),
        ("GracefulShutdown",),
        "SIGINT is ignored",
    ),
    # Other readings of the CLI that the harness must adapt to: full marks.
    Defect(
        "buffer_flag_renamed",
        (('flag.Int("buffer-size", 1000,', 'flag.Int("max-buffered-metrics", 1000,'),),
        (),
        "buffer flag called -max-buffered-metrics: detected from -h, accepted",
    ),
    Defect(
        "interval_in_whole_seconds",
        (
            (
                'interval := flag.Duration("interval", 5*time.Second, "time between scrapes (e.g. 5s, 100ms)")',
                'intervalS := flag.Int("interval", 5, "seconds between scrapes")',
            ),
            (
                "\tflag.Parse()\n",
                "\tflag.Parse()\n\tinterval := new(time.Duration)\n\t*interval = time.Duration(*intervalS) * time.Second\n",
            ),
        ),
        (),
        "-interval is an int of seconds: the harness scrapes every 1 s and scales its deadlines, accepted",
    ),
)


def reference_source() -> str:
    """The reference solution."""
    return (HERE / "reference" / "scraper.go").read_text()


def baseline_source() -> str:
    """The unmodified program the prompt starts from."""
    return (HERE / "baseline" / "scraper.go").read_text()


def apply_defect(source: str, defect: Defect) -> str:
    """The reference with the defect's edits; each edit must match exactly once."""
    for old, new in defect.edits:
        if source.count(old) != 1:
            raise ValueError(
                f"qualification case {defect.name}: edit {old!r} matches {source.count(old)} times"
            )
        source = source.replace(old, new)
    return source


def as_response(source: str, fenced: bool = False) -> str:
    """A raw response holding scraper.go between #START/#END markers (optionally in a ```go fence)."""
    block = f"#START scraper.go#\n{source.rstrip()}\n#END scraper.go#"
    return ("Here is the modified program.\n\n" + (f"```go\n{block}\n```" if fenced else block)) + "\n"


def _case(name: str, source: str, lost: tuple[str, ...], why: str, fenced: bool = False) -> QualificationCase:
    checks = {t: t not in lost for t in TEST_NAMES}
    score = sum(checks.values())
    verdict = Verdict.OK if score == len(TEST_NAMES) else Verdict.TEST_FAIL
    return QualificationCase(name, as_response(source, fenced), score, verdict, checks, why)


BASELINE_LOST = (
    "BuffersDuringOutage",
    "FlushOnReconnect",
    "BufferBounded",
    "EvictionRandom",
    "MultipleOutageCycles",
    "BufferSizeZero",
    "BufferSizeOne",
)


def build_cases() -> list[QualificationCase]:
    """All v2 qualification cases."""
    reference = reference_source()
    cases = [
        _case("reference", reference, (), "reference solution", fenced=True),
        _case(
            "baseline", baseline_source(), BASELINE_LOST, "the unmodified program: no buffer, no -buffer-size"
        ),
        QualificationCase(
            "no_code",
            "Sorry, I cannot do that.\n",
            0,
            Verdict.EXTRACT_FAIL,
            dict.fromkeys(TEST_NAMES, False),
            "no code",
        ),
        QualificationCase(
            "does_not_build",
            as_response(
                reference.replace(
                    "func (b *BufferedSink) Len() int {", "func (b *BufferedSink) Len() int {\n\tx :="
                )
            ),
            0,
            Verdict.COMPILE_FAIL,
            dict.fromkeys(TEST_NAMES, False),
            "syntax error",
        ),
    ]
    cases += [_case(d.name, apply_defect(reference, d), d.lost, d.why) for d in DEFECTS]
    return cases
