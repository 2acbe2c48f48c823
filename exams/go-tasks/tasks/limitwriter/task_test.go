package limitwriter_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"gotasks/limitwriter"
)

type result struct {
	n   int
	err error
}

func write(w io.Writer, s string) result {
	n, err := w.Write([]byte(s))
	return result{n, err}
}

func TestFits(t *testing.T) {
	var buf bytes.Buffer
	w := limitwriter.New(&buf, 100)
	for _, s := range []string{"hello, ", "", "world", "!"} {
		if got := write(w, s); got != (result{len(s), nil}) {
			t.Errorf("Write(%q) = %v, want %d, nil", s, got, len(s))
		}
	}
	if buf.String() != "hello, world!" || w.Written() != 13 {
		t.Errorf("wrote %q, Written() = %d; want \"hello, world!\", 13", buf.String(), w.Written())
	}
}

func TestCrossesLimit(t *testing.T) {
	var buf bytes.Buffer
	w := limitwriter.New(&buf, 8)
	if got := write(w, "abc"); got != (result{3, nil}) {
		t.Errorf("Write(abc) = %v, want 3, nil", got)
	}
	got := write(w, "defghijk")
	if got.n != 5 || !errors.Is(got.err, limitwriter.ErrLimit) {
		t.Errorf("Write(defghijk) with 5 bytes left = %v, want 5, ErrLimit", got)
	}
	if buf.String() != "abcdefgh" || w.Written() != 8 {
		t.Errorf("wrote %q, Written() = %d; want \"abcdefgh\", 8", buf.String(), w.Written())
	}
}

func TestAfterLimit(t *testing.T) {
	var buf bytes.Buffer
	w := limitwriter.New(&buf, 4)
	write(w, "123456")
	for _, s := range []string{"x", "more text"} {
		if got := write(w, s); got.n != 0 || !errors.Is(got.err, limitwriter.ErrLimit) {
			t.Errorf("Write(%q) after the limit = %v, want 0, ErrLimit", s, got)
		}
	}
	if got := write(w, ""); got != (result{0, nil}) {
		t.Errorf("Write(\"\") after the limit = %v, want 0, nil", got)
	}
	if buf.String() != "1234" || w.Written() != 4 {
		t.Errorf("wrote %q, Written() = %d; want \"1234\", 4", buf.String(), w.Written())
	}
}

func TestExactLimit(t *testing.T) {
	var buf bytes.Buffer
	w := limitwriter.New(&buf, 5)
	if got := write(w, "hello"); got != (result{5, nil}) {
		t.Errorf("Write(hello) filling the limit exactly = %v, want 5, nil", got)
	}
	if got := write(w, "!"); got.n != 0 || !errors.Is(got.err, limitwriter.ErrLimit) {
		t.Errorf("Write(!) after = %v, want 0, ErrLimit", got)
	}
	var buf2 bytes.Buffer
	w2 := limitwriter.New(&buf2, 6)
	if got := write(w2, "abc"); got != (result{3, nil}) {
		t.Errorf("Write(abc) = %v", got)
	}
	if got := write(w2, "def"); got != (result{3, nil}) {
		t.Errorf("Write(def) filling the limit exactly = %v, want 3, nil", got)
	}
}

func TestZeroLimit(t *testing.T) {
	var buf bytes.Buffer
	w := limitwriter.New(&buf, 0)
	if got := write(w, "a"); got.n != 0 || !errors.Is(got.err, limitwriter.ErrLimit) {
		t.Errorf("Write(a) with limit 0 = %v, want 0, ErrLimit", got)
	}
	if buf.Len() != 0 || w.Written() != 0 {
		t.Errorf("wrote %q", buf.String())
	}
}

// failing accepts ok bytes in total, then fails with errDisk.
type failing struct {
	buf bytes.Buffer
	ok  int
}

var errDisk = errors.New("disk full")

func (f *failing) Write(p []byte) (int, error) {
	if room := f.ok - f.buf.Len(); len(p) > room {
		f.buf.Write(p[:room])
		return room, errDisk
	}
	return f.buf.Write(p)
}

func TestUnderlyingError(t *testing.T) {
	f := &failing{ok: 3}
	w := limitwriter.New(f, 100)
	if got := write(w, "abcdef"); got.n != 3 || !errors.Is(got.err, errDisk) {
		t.Errorf("Write(abcdef) to a writer failing after 3 bytes = %v, want 3, disk full", got)
	}
	if w.Written() != 3 {
		t.Errorf("Written() = %d, want 3", w.Written())
	}
	f = &failing{ok: 2}
	w = limitwriter.New(f, 4)
	if got := write(w, "abcdef"); got.n != 2 || !errors.Is(got.err, errDisk) {
		t.Errorf("Write(abcdef) with limit 4 to a writer failing after 2 bytes = %v, want 2, disk full", got)
	}
	if w.Written() != 2 || f.buf.String() != "ab" {
		t.Errorf("Written() = %d, underlying got %q; want 2, \"ab\"", w.Written(), f.buf.String())
	}
}

// swallowing accepts ok bytes in total and then reports short writes with no error.
type swallowing struct {
	buf bytes.Buffer
	ok  int
}

func (s *swallowing) Write(p []byte) (int, error) {
	room := min(len(p), s.ok-s.buf.Len())
	s.buf.Write(p[:room])
	return room, nil
}

func TestShortWrite(t *testing.T) {
	s := &swallowing{ok: 4}
	w := limitwriter.New(s, 100)
	if got := write(w, "abcdefgh"); got.n != 4 || !errors.Is(got.err, io.ErrShortWrite) {
		t.Errorf("Write(abcdefgh) to a writer taking 4 bytes = %v, want 4, io.ErrShortWrite", got)
	}
	if w.Written() != 4 {
		t.Errorf("Written() = %d, want 4", w.Written())
	}
}

func TestWithCopyAndFprintf(t *testing.T) {
	var buf bytes.Buffer
	w := limitwriter.New(&buf, 1000)
	src := strings.Repeat("0123456789", 500)
	n, err := io.Copy(w, iotest.HalfReader(strings.NewReader(src)))
	if n != 1000 || !errors.Is(err, limitwriter.ErrLimit) || buf.String() != src[:1000] {
		t.Errorf("io.Copy of 5000 bytes through a 1000-byte limit = %d, %v (wrote %d bytes); want 1000, ErrLimit", n, err, buf.Len())
	}
	var out bytes.Buffer
	w = limitwriter.New(&out, 10)
	if _, err := fmt.Fprintf(w, "%s=%d", "answer", 42); err != nil || out.String() != "answer=42" {
		t.Errorf("Fprintf within the limit: %q, %v", out.String(), err)
	}
	if _, err := fmt.Fprintf(w, "%d", 12345); !errors.Is(err, limitwriter.ErrLimit) || out.String() != "answer=421" {
		t.Errorf("Fprintf over the limit: %q, %v; want \"answer=421\", ErrLimit", out.String(), err)
	}
}
