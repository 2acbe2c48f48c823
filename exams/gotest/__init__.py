"""The `gotest` grader: exams of small Go tasks graded by hidden `go test` tests (see exams.gotest.exam)."""

from exams.gotest.exam import GoTask, GoTestSuite

__all__ = ["GoTask", "GoTestSuite"]
