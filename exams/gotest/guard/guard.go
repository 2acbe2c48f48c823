// Package guard carries the hidden tests' verdicts out of the test binary over a channel that
// the answer's code cannot forge (exams/gotest/README.md, "Threat model").
//
// Its init runs before the answer's: Go initializes packages in import-path order (the Go spec,
// "Package initialization", since Go 1.21), this package's path sorts before every task
// package's, and it imports only syscall, which any file access of the answer needs as well. It
// reads the run's one-time pass tokens (a line "TestName token" per top-level test) from
// tokensFile in the working directory, deletes the file and opens reportFile. No token is on
// disk, in the environment or in argv while the answer's code runs. The package lives under an
// internal/ directory that the answer's package cannot import.
package guard

import (
	"sync"
	"syscall"
)

const (
	tokensFile = ".quantsweep-tokens"
	reportFile = ".quantsweep-report"
)

var (
	tokens  = map[string]string{}
	report  = -1
	mu      sync.Mutex
	pending []string // tests whose cleanup saw a pass, not yet known to have ended normally
)

func init() {
	fd, err := syscall.Open(tokensFile, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return // not run by the grader: report nothing
	}
	var data []byte
	buf := make([]byte, 4096)
	for {
		n, err := syscall.Read(fd, buf)
		if n <= 0 || err != nil {
			break
		}
		data = append(data, buf[:n]...)
	}
	syscall.Close(fd)
	syscall.Unlink(tokensFile)
	start := 0
	for i, c := range data {
		if c == '\n' {
			line := string(data[start:i])
			for j := 0; j < len(line); j++ {
				if line[j] == ' ' {
					tokens[line[:j]] = line[j+1:]
					break
				}
			}
			start = i + 1
		}
	}
	flags := syscall.O_WRONLY | syscall.O_CREAT | syscall.O_APPEND | syscall.O_CLOEXEC
	if report, err = syscall.Open(reportFile, flags, 0o600); err != nil {
		report = -1
	}
}

func write(line string) {
	if report >= 0 {
		syscall.Write(report, []byte(line+"\n"))
	}
}

// Start records that the top-level test name began. The tests before it have ended: a test whose
// function panicked or called runtime.Goexit takes the process down after its cleanups ran, so
// the next test starting is what confirms the passes its cleanup saw.
func Start(name string) {
	confirm()
	write("start " + name)
}

// End records how the top-level test name ended, once it and its subtests are done (its last
// cleanup). A pass is held until the next test starts or the tests are over.
func End(name string, passed bool) {
	if !passed {
		write("fail " + name)
		return
	}
	mu.Lock()
	pending = append(pending, name)
	mu.Unlock()
}

// Finish confirms the passes held when m.Run has returned: every test ended normally.
func Finish() { confirm() }

// confirm writes each held pass with its test's token.
func confirm() {
	mu.Lock()
	defer mu.Unlock()
	for _, name := range pending {
		if token, ok := tokens[name]; ok {
			write("pass " + name + " " + token)
		}
	}
	pending = nil
}
