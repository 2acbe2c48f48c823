"""Helpers only pytest uses: skips that fail under CI, the shared fixtures' building blocks, files
the tests read. What bench/ shares with the tests lives in testkit/."""
