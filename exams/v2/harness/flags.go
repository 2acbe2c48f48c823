package main

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// FlagSpec is one flag as printed by the Go flag package's -h output.
type FlagSpec struct {
	Name string `json:"name"`
	Type string `json:"type"` // duration, int, string, ... or "" for a bool
}

// CLI is what the harness learned from -h and the values it will pass.
type CLI struct {
	Flags        []FlagSpec    `json:"flags"`
	InverterFlag string        `json:"inverter_flag"`
	SinkFlag     string        `json:"sink_flag"`
	IntervalFlag string        `json:"interval_flag"`
	IntervalType string        `json:"interval_type"`
	IntervalArg  string        `json:"interval_arg"`
	BufferFlag   string        `json:"buffer_flag"`
	RetryFlags   []string      `json:"retry_flags"`
	RetryArg     []string      `json:"retry_args"`
	Interval     time.Duration `json:"interval_ns"`
}

var flagLine = regexp.MustCompile(`^\s{1,8}--?([A-Za-z][\w.-]*)(?:[ =]([a-zA-Z0-9]+))?`)

var typeWords = map[string]bool{
	"duration": true, "int": true, "int64": true, "uint": true, "uint64": true,
	"string": true, "float": true, "float64": true, "value": true,
}

// ParseFlags reads flag names and types from -h output.
func ParseFlags(help string) []FlagSpec {
	var specs []FlagSpec
	seen := map[string]bool{}
	for _, line := range strings.Split(help, "\n") {
		m := flagLine.FindStringSubmatch(line)
		if m == nil || seen[m[1]] || m[1] == "h" || m[1] == "help" {
			continue
		}
		typ := strings.ToLower(m[2])
		if !typeWords[typ] {
			typ = ""
		}
		seen[m[1]] = true
		specs = append(specs, FlagSpec{Name: m[1], Type: typ})
	}
	return specs
}

func isInt(t string) bool { return t == "int" || t == "int64" || t == "uint" || t == "uint64" }

func has(name string, words ...string) bool {
	n := strings.ToLower(name)
	for _, w := range words {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// DetectCLI picks the flags the tests drive and the values to pass them.
// fast is the scrape interval wanted when the flag takes a duration.
func DetectCLI(specs []FlagSpec, fast time.Duration) (CLI, error) {
	cli := CLI{Flags: specs, InverterFlag: "inverter-host", SinkFlag: "sink-url"}
	for _, f := range specs {
		switch {
		case has(f.Name, "inverter") && f.Type == "string":
			cli.InverterFlag = f.Name
		case has(f.Name, "sink") && f.Type == "string" && !has(f.Name, "timeout"):
			cli.SinkFlag = f.Name
		}
	}
	retrying := func(n string) bool { return has(n, "flush", "retry", "backoff", "resend", "drain", "reconnect") }
	var interval *FlagSpec
	for i, f := range specs {
		if f.Name == "interval" {
			interval = &specs[i]
			break
		}
		if interval == nil && has(f.Name, "interval", "period") && !retrying(f.Name) && !has(f.Name, "timeout") {
			interval = &specs[i]
		}
	}
	if interval == nil {
		return cli, fmt.Errorf("no scrape interval flag in the -h output")
	}
	cli.IntervalFlag, cli.IntervalType = interval.Name, interval.Type
	millis := has(interval.Name, "ms", "milli")
	switch {
	case interval.Type == "duration" || interval.Type == "string" || interval.Type == "value":
		cli.IntervalArg, cli.Interval = fast.String(), fast
	case isInt(interval.Type) && millis:
		cli.IntervalArg, cli.Interval = fmt.Sprint(fast.Milliseconds()), fast
	case isInt(interval.Type):
		cli.IntervalArg, cli.Interval = "1", time.Second
	case interval.Type == "float" || interval.Type == "float64":
		cli.IntervalArg, cli.Interval = fmt.Sprint(fast.Seconds()), fast
	default:
		return cli, fmt.Errorf("interval flag -%s has type %q, which the harness cannot drive", interval.Name, interval.Type)
	}
	best := -1
	for _, f := range specs {
		if !isInt(f.Type) {
			continue
		}
		score := 0
		switch {
		case f.Name == "buffer-size":
			score = 4
		case has(f.Name, "buf") && has(f.Name, "size", "cap", "max", "len"):
			score = 3
		case has(f.Name, "buf"):
			score = 2
		case has(f.Name, "capacity", "max-metrics", "queue-size"):
			score = 1
		}
		if score > best && score > 0 {
			best, cli.BufferFlag = score, f.Name
		}
	}
	for _, f := range specs {
		if f.Name == cli.IntervalFlag || !retrying(f.Name) || has(f.Name, "timeout", "max", "attempt", "count", "size", "batch") {
			continue
		}
		switch {
		case f.Type == "duration":
			cli.RetryFlags, cli.RetryArg = append(cli.RetryFlags, f.Name), append(cli.RetryArg, cli.Interval.String())
		case isInt(f.Type) && has(f.Name, "ms", "milli"):
			cli.RetryFlags, cli.RetryArg = append(cli.RetryFlags, f.Name), append(cli.RetryArg, fmt.Sprint(cli.Interval.Milliseconds()))
		case isInt(f.Type) && has(f.Name, "interval", "period", "delay", "every", "sec"):
			cli.RetryFlags, cli.RetryArg = append(cli.RetryFlags, f.Name), append(cli.RetryArg, "1")
		}
	}
	return cli, nil
}

// Args builds the command line for one run; bufferSize < 0 leaves the buffer flag out.
func (c CLI) Args(inverterHost, sinkURL string, bufferSize int) []string {
	args := []string{"-" + c.InverterFlag + "=" + inverterHost, "-" + c.SinkFlag + "=" + sinkURL, "-" + c.IntervalFlag + "=" + c.IntervalArg}
	for i, f := range c.RetryFlags {
		args = append(args, "-"+f+"="+c.RetryArg[i])
	}
	if bufferSize >= 0 && c.BufferFlag != "" {
		args = append(args, fmt.Sprintf("-%s=%d", c.BufferFlag, bufferSize))
	}
	return args
}
