"""Exam v2: the resilience modification of an inverter scraper, /10. See README.md."""

from exams.v2.exam import V2Exam

EXAM = V2Exam()

__all__ = ["EXAM", "V2Exam"]
