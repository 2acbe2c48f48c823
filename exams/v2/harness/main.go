// Command v2harness grades one exam-v2 scraper binary: it starts a mock
// inverter and a mock sink per test on loopback, runs the scraper against
// them with the flags it found in the scraper's -h output, and prints one
// JSON object with a verdict per test. It is trusted code; the scraper is not,
// and is started through the -prefix command (uid drop and rlimits).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"time"
)

// Report is the harness's whole output.
type Report struct {
	CLI          *CLI         `json:"cli,omitempty"`
	Tests        []TestResult `json:"tests"`
	HarnessError string       `json:"harness_error,omitempty"`
	DurationS    float64      `json:"duration_s"`
}

// TestResult is one test's verdict.
type TestResult struct {
	Name      string  `json:"name"`
	Passed    bool    `json:"passed"`
	Detail    string  `json:"detail"`
	DurationS float64 `json:"duration_s"`
}

const fastInterval = 50 * time.Millisecond

// prefixEnv is where the sandbox hands a trusted harness the untrusted prefix.
const prefixEnv = "QUANTSWEEP_UNTRUSTED_PREFIX"

func main() {
	binary := flag.String("binary", "", "scraper binary")
	raceBinary := flag.String("race-binary", "", "scraper binary built with -race")
	raceErrorFile := flag.String("race-error-file", "", "file holding the -race build log when that build failed")
	prefix := flag.String("prefix", os.Getenv(prefixEnv), "JSON array: command prefix for the untrusted binary ({uid} is replaced; default $"+prefixEnv+")")
	racePrefix := flag.String("race-prefix", "", "JSON array: prefix for the -race binary (default: -prefix without its address-space limit)")
	uidBase := flag.Int("uid-base", 200000, "first uid handed to {uid}")
	raceRSS := flag.Int64("race-rss-limit", 1<<30, "bytes of resident memory a -race run may use before it is killed (0: no limit)")
	only := flag.String("tests", "", "comma-separated test names (default: all)")
	flag.Parse()

	// A process started in the background by a non-interactive shell inherits
	// SIGINT as ignored, and an ignored signal stays ignored across exec: the
	// scrapers would then never see GracefulShutdown's SIGINT. A handler, unlike
	// an ignore, is reset to the default action in each child we exec.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)

	started := time.Now()
	report := run(*binary, *raceBinary, *raceErrorFile, *prefix, *racePrefix, *uidBase, *raceRSS, *only)
	report.DurationS = time.Since(started).Seconds()
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(report)
}

func run(binary, raceBinary, raceErrorFile, prefixJSON, racePrefixJSON string, uidBase int, raceRSS int64, only string) Report {
	var env Env
	if prefixJSON == "" {
		prefixJSON = "[]"
	}
	if err := json.Unmarshal([]byte(prefixJSON), &env.Prefix); err != nil {
		return Report{HarnessError: "bad -prefix: " + err.Error()}
	}
	// TSAN maps terabytes of address space: the race binary keeps every limit but that one.
	for _, p := range env.Prefix {
		if !strings.HasPrefix(p, "--as=") {
			env.RacePrefix = append(env.RacePrefix, p)
		}
	}
	if racePrefixJSON != "" {
		if err := json.Unmarshal([]byte(racePrefixJSON), &env.RacePrefix); err != nil {
			return Report{HarnessError: "bad -race-prefix: " + err.Error()}
		}
	}
	env.Binary, env.RaceBinary, env.UIDBase, env.RaceRSS = binary, raceBinary, uidBase, raceRSS
	env.ProcEnv = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", "LANG=C", "GORACE=halt_on_error=0", "GOMAXPROCS=2"}
	if raceErrorFile != "" {
		data, err := os.ReadFile(raceErrorFile)
		if err != nil {
			return Report{HarnessError: "read -race-error-file: " + err.Error()}
		}
		env.RaceError = strings.TrimSpace(string(data))
		if env.RaceError == "" {
			env.RaceError = "no log"
		}
	} else if raceBinary == "" {
		env.RaceError = "no -race binary was built"
	}

	help, err := helpText(env.Prefix, uidBase, binary)
	if err != nil {
		return Report{HarnessError: err.Error()}
	}
	cli, cliErr := DetectCLI(ParseFlags(help), fastInterval)
	report := Report{CLI: &cli}
	selected := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		if n != "" {
			selected[n] = true
		}
	}
	env.CLI = cli
	results := make([]TestResult, len(Tests))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, t := range Tests {
		if len(selected) > 0 && !selected[t.Name] {
			results[i] = TestResult{Name: t.Name, Detail: "not run"}
			continue
		}
		if cliErr != nil {
			results[i] = TestResult{Name: t.Name, Detail: cliErr.Error()}
			continue
		}
		wg.Add(1)
		go func(i int, t Test) {
			defer wg.Done()
			began := time.Now()
			out, err := t.Run(&env)
			res := TestResult{Name: t.Name, Passed: out.Passed, Detail: out.Detail, DurationS: time.Since(began).Seconds()}
			if err != nil {
				mu.Lock()
				report.HarnessError = fmt.Sprintf("%s: %v", t.Name, err)
				mu.Unlock()
				res.Detail = "harness error: " + err.Error()
			}
			results[i] = res
		}(i, t)
	}
	wg.Wait()
	report.Tests = results
	return report
}

// helpText runs the binary with -h and returns what it printed (Go's flag
// package prints usage to stderr and exits 0 or 2).
func helpText(prefix []string, uidBase int, binary string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	argv := make([]string, 0, len(prefix)+2)
	for _, p := range prefix {
		argv = append(argv, strings.ReplaceAll(p, "{uid}", fmt.Sprint(uidBase)))
	}
	argv = append(argv, binary, "-h")
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", "LANG=C"}
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), nil // a program that ignores -h and runs: no flags found, tests fail
	}
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			return "", fmt.Errorf("run %s -h: %w", binary, err)
		}
	}
	return string(out), nil
}
