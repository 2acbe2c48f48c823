package configerr_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"gotasks/configerr"
)

func TestParse(t *testing.T) {
	cfg, err := configerr.Parse("# settings\nhost = example.org\n\nport=8080\n  name_2 =  a b  \nempty=\n")
	if err != nil {
		t.Fatalf("Parse error: %v", err)
	}
	want := map[string]string{"host": "example.org", "port": "8080", "name_2": "a b", "empty": ""}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Parse = %v, want %v", cfg, want)
	}
}

func lineError(t *testing.T, text string) *configerr.LineError {
	t.Helper()
	_, err := configerr.Parse(text)
	var le *configerr.LineError
	if !errors.As(err, &le) {
		t.Fatalf("Parse(%q) error = %v, want a *LineError", text, err)
	}
	return le
}

func TestSyntaxError(t *testing.T) {
	for _, c := range []struct {
		text string
		line int
	}{{"a=1\nnonsense\n", 2}, {"=x", 1}, {"# c\n\nBad Key=1", 3}, {"ok=1\nk-2=3", 2}} {
		le := lineError(t, c.text)
		if le.Line != c.line {
			t.Errorf("Parse(%q): Line = %d, want %d", c.text, le.Line, c.line)
		}
		_, err := configerr.Parse(c.text)
		if !errors.Is(err, configerr.ErrSyntax) {
			t.Errorf("Parse(%q): errors.Is(err, ErrSyntax) is false for %v", c.text, err)
		}
	}
}

func TestDuplicate(t *testing.T) {
	_, err := configerr.Parse("a=1\nb=2\na=3")
	if !errors.Is(err, configerr.ErrDuplicate) || errors.Is(err, configerr.ErrSyntax) {
		t.Errorf("duplicate key: error %v, want one wrapping ErrDuplicate only", err)
	}
	if le := lineError(t, "a=1\nb=2\na=3"); le.Line != 3 {
		t.Errorf("duplicate key: Line = %d, want 3", le.Line)
	}
}

func TestLineErrorMessage(t *testing.T) {
	err := error(&configerr.LineError{Line: 7, Err: configerr.ErrSyntax})
	if got := err.Error(); got != "line 7: syntax error" {
		t.Errorf("Error() = %q, want %q", got, "line 7: syntax error")
	}
	wrapped := fmt.Errorf("loading app.conf: %w", err)
	var le *configerr.LineError
	if !errors.As(wrapped, &le) || le.Line != 7 {
		t.Errorf("errors.As through a wrap failed: %v", wrapped)
	}
}

func TestRequire(t *testing.T) {
	vals, err := configerr.Require(map[string]string{"a": "1", "b": "2"}, "b", "a")
	if err != nil || !reflect.DeepEqual(vals, []string{"2", "1"}) {
		t.Errorf("Require = %v, %v; want [2 1], nil", vals, err)
	}
}

func TestRequireMissing(t *testing.T) {
	_, err := configerr.Require(map[string]string{"a": "1"}, "a", "port", "host")
	if !errors.Is(err, configerr.ErrMissing) {
		t.Fatalf("Require error = %v, want one wrapping ErrMissing", err)
	}
	if got, want := err.Error(), `require "port": missing key`; got != want {
		t.Errorf("Require error message = %q, want %q", got, want)
	}
}
