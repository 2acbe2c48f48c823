package teesplit_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"gotasks/teesplit"
)

func check(t *testing.T, in string, max int, want []string) {
	t.Helper()
	got, err := teesplit.Split(strings.NewReader(in), nil, max)
	if err != nil || len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
		t.Errorf("Split(%q, %d) = %q, %v; want %q", in, max, got, err, want)
	}
}

func TestLines(t *testing.T) {
	check(t, "a\nbb\nccc\n", 10, []string{"a", "bb", "ccc"})
	check(t, "", 10, nil)
	check(t, "\n", 10, []string{""})
	check(t, "\n\nx\n", 10, []string{"", "", "x"})
	check(t, "tab\there\n", 10, []string{"tab\there"})
}

func TestNoFinalNewline(t *testing.T) {
	check(t, "a\nb", 10, []string{"a", "b"})
	check(t, "only", 10, []string{"only"})
	check(t, "a\n\nb", 10, []string{"a", "", "b"})
}

func TestCRLF(t *testing.T) {
	check(t, "a\r\nb\r\n", 10, []string{"a", "b"})
	check(t, "a\r\nb", 10, []string{"a", "b"})
	check(t, "a\rb\n", 10, []string{"a\rb"})
	check(t, "a\r\r\n", 10, []string{"a\r"})
	check(t, "\r\n\r\n", 10, []string{"", ""})
	check(t, "end\r", 10, []string{"end\r"})
}

func TestOneByteReads(t *testing.T) {
	in := "first\r\nsecond\nthird\r\n\nlast"
	got, err := teesplit.Split(iotest.OneByteReader(strings.NewReader(in)), nil, 6)
	want := []string{"first", "second", "third", "", "last"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Split with one-byte reads = %q, %v; want %q", got, err, want)
	}
}

func TestMaxBoundary(t *testing.T) {
	check(t, "abc\nabc\r\nabc", 3, []string{"abc", "abc", "abc"})
	check(t, "\n\n", 0, []string{"", ""})
	for _, in := range []string{"abcd\n", "ab\nabcd", "ab\r\nabc\r\nabcd\r\n"} {
		got, err := teesplit.Split(strings.NewReader(in), nil, 3)
		before := strings.Count(in[:strings.Index(in, "abcd")], "\n")
		if !errors.Is(err, teesplit.ErrTooLong) || len(got) != before {
			t.Errorf("Split(%q, 3) = %q, %v; want the %d lines before the long one and ErrTooLong", in, got, err, before)
		}
	}
}

func TestTooLongLineNumber(t *testing.T) {
	in := "ok\nfine\nthis one is far too long\nnever read\n"
	got, err := teesplit.Split(strings.NewReader(in), nil, 8)
	if !errors.Is(err, teesplit.ErrTooLong) || !reflect.DeepEqual(got, []string{"ok", "fine"}) {
		t.Fatalf("Split = %q, %v; want [ok fine] and ErrTooLong", got, err)
	}
	if !strings.Contains(err.Error(), "3") {
		t.Errorf("the error %q does not name line 3", err)
	}
}

func TestLongLines(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	in := "short\n" + long + "\r\n" + long
	got, err := teesplit.Split(iotest.HalfReader(strings.NewReader(in)), nil, 200_000)
	if err != nil || len(got) != 3 || got[1] != long || got[2] != long {
		t.Errorf("Split of two 200000-byte lines with max 200000: %d lines, %v", len(got), err)
	}
	got, err = teesplit.Split(strings.NewReader(in), nil, 199_999)
	if !errors.Is(err, teesplit.ErrTooLong) || !reflect.DeepEqual(got, []string{"short"}) {
		t.Errorf("Split of a 200000-byte line with max 199999 = %d lines, %v; want [short] and ErrTooLong", len(got), err)
	}
}

func TestTee(t *testing.T) {
	for _, in := range []string{"a\r\nb\rc\n", "no newline", "", "\n\n\r\n", strings.Repeat("line\r\n", 5000) + "end"} {
		var tee bytes.Buffer
		if _, err := teesplit.Split(iotest.HalfReader(strings.NewReader(in)), &tee, 100); err != nil {
			t.Fatalf("Split(%.20q): %v", in, err)
		}
		if tee.String() != in {
			t.Errorf("tee received %.40q (%d bytes), want the input %.40q (%d bytes)", tee.String(), tee.Len(), in, len(in))
		}
	}
}

var errNet = errors.New("connection reset")

func TestReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("one\ntwo\nthr"), iotest.ErrReader(errNet))
	got, err := teesplit.Split(r, nil, 10)
	if !errors.Is(err, errNet) || !reflect.DeepEqual(got, []string{"one", "two"}) {
		t.Errorf("Split with a read error = %q, %v; want [one two] and the read error", got, err)
	}
}

type brokenWriter struct{}

var errPipe = errors.New("broken pipe")

func (brokenWriter) Write([]byte) (int, error) { return 0, errPipe }

func TestTeeError(t *testing.T) {
	_, err := teesplit.Split(strings.NewReader("a\nb\n"), brokenWriter{}, 10)
	if !errors.Is(err, errPipe) {
		t.Errorf("Split with a failing tee: error %v, want the tee's error", err)
	}
}
