"""The runs of a sweep read back from Postgres, and grading them again."""
