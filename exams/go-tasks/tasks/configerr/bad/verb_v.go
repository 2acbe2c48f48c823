package configerr

import (
	"errors"
	"fmt"
	"strings"
)

// ErrSyntax is the cause of a line that is not key=value.
var ErrSyntax = errors.New("syntax error")

// ErrDuplicate is the cause when a key appears twice.
var ErrDuplicate = errors.New("duplicate key")

// ErrMissing is returned (wrapped) by Require for an absent key.
var ErrMissing = errors.New("missing key")

// LineError reports a bad line, counting from 1.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Parse reads key=value lines, skipping blanks and # comments.
func Parse(text string) (map[string]string, error) {
	cfg := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || !validKey(key) {
			return nil, &LineError{Line: i + 1, Err: ErrSyntax}
		}
		if _, dup := cfg[key]; dup {
			return nil, &LineError{Line: i + 1, Err: ErrDuplicate}
		}
		cfg[key] = strings.TrimSpace(value)
	}
	return cfg, nil
}

// Require returns the values of keys, or an error wrapping ErrMissing.
func Require(cfg map[string]string, keys ...string) ([]string, error) {
	values := make([]string, 0, len(keys))
	for _, k := range keys {
		v, ok := cfg[k]
		if !ok {
			return nil, fmt.Errorf("require %q: %v", k, ErrMissing)
		}
		values = append(values, v)
	}
	return values, nil
}
