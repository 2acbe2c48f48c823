package {package}_test

import (
	"os"
	"testing"

	"{module}/{test_dir}/internal/guard"
)

// TestMain confirms the passes of the last tests once they have all ended. The hidden tests define
// none (exams/gotest/task.py refuses one); an answer's TestMain is in another package, not run.
func TestMain(m *testing.M) {
	code := m.Run()
	guard.Finish()
	os.Exit(code)
}

// quantsweepTrack is the first statement of every hidden top-level test: the test's end is
// reported by its last cleanup, which runs after the test and its subtests are done. That cleanup
// also runs when the test panicked or called runtime.Goexit, before the framework fails the test
// and ends the process, so a pass it sees counts only once the next test starts (guard.Start) or
// all have ended (guard.Finish).
func quantsweepTrack(t *testing.T) {
	guard.Start(t.Name())
	t.Cleanup(func() { guard.End(t.Name(), !t.Failed()) })
}
