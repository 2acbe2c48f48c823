"""Exam v1: three small Go programs (factorial, wordfreq, filetreewalk), /15. See README.md."""

from exams.v1.exam import V1Exam

EXAM = V1Exam()

__all__ = ["EXAM", "V1Exam"]
