package configerr

import (
	"bufio"
	"errors"
	"regexp"
	"strconv"
	"strings"
)

var (
	ErrSyntax    = errors.New("syntax error")
	ErrDuplicate = errors.New("duplicate key")
	ErrMissing   = errors.New("missing key")
)

type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Err.Error() }

func (e *LineError) Unwrap() error { return e.Err }

var entry = regexp.MustCompile(`^\s*([a-z0-9_]+)\s*=(.*)$`)

// Parse scans lines with bufio.Scanner and matches each against one regular expression.
func Parse(text string) (map[string]string, error) {
	cfg := make(map[string]string)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, len(text)+1)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if t := strings.TrimSpace(line); t == "" || t[0] == '#' {
			continue
		}
		m := entry.FindStringSubmatch(line)
		switch {
		case m == nil:
			return nil, &LineError{n, ErrSyntax}
		case hasKey(cfg, m[1]):
			return nil, &LineError{n, ErrDuplicate}
		}
		cfg[m[1]] = strings.TrimSpace(m[2])
	}
	return cfg, nil
}

func hasKey(cfg map[string]string, k string) bool {
	_, ok := cfg[k]
	return ok
}

// missingKey names the key and unwraps to ErrMissing.
type missingKey string

func (m missingKey) Error() string {
	return "require " + strconv.Quote(string(m)) + ": " + ErrMissing.Error()
}

func (m missingKey) Unwrap() error { return ErrMissing }

func Require(cfg map[string]string, keys ...string) ([]string, error) {
	var out []string
	for _, k := range keys {
		if !hasKey(cfg, k) {
			return nil, missingKey(k)
		}
		out = append(out, cfg[k])
	}
	return out, nil
}
