"""`python -m scheduler`: the same as the `scheduler` console script."""

from scheduler.cli import main

main()
