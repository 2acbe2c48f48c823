package limitwriter

import (
	"errors"
	"io"
)

// ErrLimit is returned by Write when the limit stops it from writing all of p.
var ErrLimit = errors.New("limitwriter: write limit reached")

// Writer counts down the bytes it may still pass on.
type Writer struct {
	dst       io.Writer
	remaining int64
	written   int64
}

// New returns a Writer passing at most limit bytes on to w.
func New(w io.Writer, limit int64) *Writer { return &Writer{dst: w, remaining: limit} }

const piece = 7

// Write passes p on in pieces of at most 7 bytes, stopping at the limit or the first failure.
func (w *Writer) Write(p []byte) (int, error) {
	total := 0
	for total < len(p) {
		if w.remaining == 0 {
			return total, ErrLimit
		}
		size := min(len(p)-total, piece, int(min(w.remaining, int64(piece))))
		n, err := w.dst.Write(p[total : total+size])
		total += n
		w.written += int64(n)
		w.remaining -= int64(n)
		if err != nil {
			return total, err
		}
		if n < size {
			return total, io.ErrShortWrite
		}
	}
	return total, nil
}

// Written returns the number of bytes written so far.
func (w *Writer) Written() int64 { return w.written }
