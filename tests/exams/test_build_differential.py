"""Differential: the grader's build verdict on every program equals a plain `go build file.go`.

The programs are every one the extractor finds in the article's published responses (v1 and v2)
and in every qualification case of every exam, plus one of each kind the grader once got wrong
(a build constraint line, a language feature newer than Go 1.22, a second package clause, a
package that is not main, an offline module import). The plain build is `go build -o OUT
FILE.go` in an empty directory outside any module, with the same toolchain and the default
settings; "builds" means it made a program (an executable). The one difference allowed is the
one the grader names: cgo is off, and a program importing "C" is told so.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from exams.extract import extract_files
from exams.golang import GoToolchain, gocache_dir
from exams.registry import get_exam, get_manifest, list_exams
from exams.sandbox import Workspace

BATCH = 16
KINDS = {
    "build_tag": "//go:build ignore\n\npackage main\n\nfunc main() { println(1) }\n",
    "future_go_line": "//go:build go1.99\n\npackage main\n\nfunc main() { println(1) }\n",
    "range_over_func": (
        'package main\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\n'
        'func main() {\n\tfor w := range strings.FieldsSeq("a b") {\n\t\tfmt.Println(w)\n\t}\n}\n'
    ),
    "generic_alias": "package main\n\ntype Pair[T any] = [2]T\n\nfunc main() { println(len(Pair[int]{})) }\n",
    "second_package": "package main\n\nfunc main() {}\n\npackage util\n",
    "not_main": "package util\n\nfunc Double(n int) int { return 2 * n }\n",
    "module_import": 'package main\n\nimport "golang.org/x/exp/maps"\n\nfunc main() { _ = maps.Keys[map[int]int] }\n',
    "cgo": 'package main\n\nimport "C"\n\nfunc main() { println(1) }\n',
}


def corpus(root: Path) -> dict[str, str]:
    """{label: source} of every program to compare, one per distinct source."""
    found: dict[str, tuple[str, str]] = {}
    texts: list[tuple[str, str, str]] = []
    for exam_name, folder in (("v1", "exam_v1"), ("v2", "exam_v2")):
        for path in sorted((root / folder).rglob("response.txt")):
            texts.append((exam_name, str(path.parent.relative_to(root)), path.read_text(encoding="utf-8")))
    for exam_name in list_exams():
        if get_manifest(exam_name).items:
            continue  # an exam of items (go-tasks) is compiled by `go test -c`, never by go build
        for case in get_exam(exam_name).qualification_cases():
            texts.append((exam_name, f"{exam_name}/qualification/{case.name}", case.response_text))
    for exam_name, label, text in texts:
        spec = get_exam(exam_name)
        for file_name, source in extract_files(
            text, spec.expected_files, None, spec.content_hints
        ).files.items():
            found.setdefault(hashlib.sha256(source.encode()).hexdigest(), (f"{label}/{file_name}", source))
    return dict(found.values()) | {f"kind/{name}": source for name, source in KINDS.items()}


def plain_build(go: GoToolchain, source: str) -> bool:
    """Whether `go build -o prog main.go` outside any module makes a program of `source`."""
    with tempfile.TemporaryDirectory(prefix="qs-plain-") as tmp:
        (Path(tmp) / "main.go").write_text(source)
        env = {
            "PATH": f"{go.goroot / 'bin'}:/usr/bin:/bin",
            "HOME": tmp,
            "GOCACHE": str(gocache_dir()),
            "GOPATH": f"{tmp}/gopath",
            "GOTOOLCHAIN": "local",  # the same toolchain, offline: nothing else is set
            "GOPROXY": "off",
            "GOTELEMETRY": "off",
        }
        done = subprocess.run(
            [str(go.go), "build", "-o", "prog", "main.go"],
            cwd=tmp,
            env=env,
            capture_output=True,
            timeout=600,
            check=False,
        )
        prog = Path(tmp) / "prog"
        return done.returncode == 0 and prog.is_file() and prog.read_bytes()[:4] == b"\x7fELF"


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_grader_builds_exactly_what_a_plain_go_build_of_the_file_builds(
    go_toolchain: GoToolchain, article_results: Path
) -> None:
    programs = corpus(article_results)
    assert len(programs) > 100  # the article's 99 + 33 programs, minus duplicates, plus the cases
    names = {label: f"p{i}" for i, label in enumerate(programs)}
    graded: dict[str, tuple[bool, str]] = {}
    labels = list(programs)
    for start in range(0, len(labels), BATCH):
        batch = labels[start : start + BATCH]
        with Workspace() as ws:
            built = ws.build({names[label]: programs[label] for label in batch})
        for label in batch:
            program = built.programs[names[label]]
            assert program.fault is None, (label, program.fault)
            graded[label] = (program.binary is not None, program.reason)
    with ThreadPoolExecutor(4) as pool:
        plain = dict(
            zip(
                labels,
                pool.map(lambda label: plain_build(go_toolchain, programs[label]), labels),
                strict=True,
            )
        )
    differ = {}
    for label in labels:
        builds, reason = graded[label]
        if builds != plain[label] and not (
            plain[label] and reason.startswith("cgo is disabled in the grader")
        ):
            differ[label] = f"grader {builds} ({reason}), plain go build {plain[label]}"
    assert differ == {}
    assert not graded["kind/cgo"][0] and plain["kind/cgo"]  # the named difference is still there
    assert sum(builds for builds, _ in graded.values()) > 100  # most published programs build
