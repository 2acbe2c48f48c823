package linenum_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"gotasks/linenum"
)

func number(t *testing.T, r io.Reader) string {
	t.Helper()
	var out bytes.Buffer
	if err := linenum.Number(r, &out); err != nil {
		t.Fatalf("Number: unexpected error %v", err)
	}
	return out.String()
}

func TestSimple(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a\nb\n", "1: a\n2: b\n"}, {"x\n\ny\n", "1: x\n2: \n3: y\n"}, {"", ""},
	} {
		if got := number(t, strings.NewReader(c.in)); got != c.want {
			t.Errorf("Number(%q) wrote %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNoTrailingNewline(t *testing.T) {
	if got := number(t, strings.NewReader("a\nb")); got != "1: a\n2: b\n" {
		t.Errorf("Number(%q) wrote %q", "a\nb", got)
	}
}

func TestOneByteReads(t *testing.T) {
	got := number(t, iotest.OneByteReader(strings.NewReader("héllo\nwörld\n")))
	if !strings.HasSuffix(got, ": wörld\n") || strings.Count(got, "\n") != 2 {
		t.Errorf("Number over one-byte reads wrote %q", got)
	}
}

func TestLongLine(t *testing.T) {
	long := strings.Repeat("x", 3<<20)
	got := number(t, strings.NewReader("short\n"+long+"\nend\n"))
	if got != "1: short\n2: "+long+"\n3: end\n" {
		t.Errorf("Number with a %d-byte line wrote %d bytes, want %d", len(long), len(got), len(long)+20)
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("disk gone")
	r := io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(boom))
	if err := linenum.Number(r, io.Discard); !errors.Is(err, boom) {
		t.Errorf("Number on a failing reader returned %v, want %v", err, boom)
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestWriteError(t *testing.T) {
	full := errors.New("disk full")
	if err := linenum.Number(strings.NewReader("a\nb\n"), failingWriter{full}); !errors.Is(err, full) {
		t.Errorf("Number to a failing writer returned %v, want %v", err, full)
	}
}
