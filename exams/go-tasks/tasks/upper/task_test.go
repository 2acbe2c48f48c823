package upper_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"

	"gotasks/upper"
)

func convert(t *testing.T, r io.Reader) (string, int64) {
	t.Helper()
	var out bytes.Buffer
	n, err := upper.Copy(&out, r)
	if err != nil {
		t.Fatalf("Copy error: %v", err)
	}
	return out.String(), n
}

func TestASCII(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"", ""}, {"hello, World 42!", "HELLO, WORLD 42!"}, {"ALREADY", "ALREADY"}} {
		got, n := convert(t, strings.NewReader(c.in))
		if got != c.want || n != int64(len(c.want)) {
			t.Errorf("Copy(%q) wrote %q (%d bytes), want %q", c.in, got, n, c.want)
		}
	}
}

func TestUnicode(t *testing.T) {
	for _, in := range []string{"straße, été, ǆ, ωμέγα, 日本", "ǆ ß ﬃ", "čeština ĳ"} {
		got, _ := convert(t, strings.NewReader(in))
		if want := strings.Map(unicode.ToUpper, in); got != want {
			t.Errorf("Copy(%q) wrote %q, want %q", in, got, want)
		}
	}
}

func TestSplitRunes(t *testing.T) {
	text := strings.Repeat("ça été éCRIT ", 50)
	want := strings.ToUpper(text)
	got, _ := convert(t, iotest.OneByteReader(strings.NewReader(text)))
	if got != want {
		t.Errorf("one-byte reads: got %q..., want %q...", got[:30], want[:30])
	}
	got, _ = convert(t, iotest.HalfReader(strings.NewReader(text)))
	if got != want {
		t.Errorf("half reads: got %q..., want %q...", got[:30], want[:30])
	}
}

func TestInvalidBytes(t *testing.T) {
	got, _ := convert(t, bytes.NewReader([]byte("a\xffb\xc3")))
	if got != "A\xffB\xc3" {
		t.Errorf("Copy with invalid UTF-8 wrote %q, want %q", got, "A\xffB\xc3")
	}
}

func TestLargeInput(t *testing.T) {
	text := strings.Repeat("abcdefghijklmnopqrstuvwxyzé\n", 200_000)
	var out bytes.Buffer
	n, err := upper.Copy(&out, strings.NewReader(text))
	if err != nil || n != int64(len(text)) || out.String() != strings.ToUpper(text) {
		t.Errorf("Copy of %d bytes: wrote %d, err %v, output correct: %v", len(text), n, err, out.String() == strings.ToUpper(text))
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("network down")
	_, err := upper.Copy(io.Discard, io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Errorf("Copy from a failing reader returned %v, want %v", err, boom)
	}
}

type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return len(p), nil
	}
	written := f.n
	f.n = 0
	return written, f.err
}

func TestWriteError(t *testing.T) {
	full := errors.New("disk full")
	_, err := upper.Copy(&failAfter{n: 10, err: full}, strings.NewReader(strings.Repeat("x", 100_000)))
	if !errors.Is(err, full) {
		t.Errorf("Copy to a failing writer returned %v, want %v", err, full)
	}
}
