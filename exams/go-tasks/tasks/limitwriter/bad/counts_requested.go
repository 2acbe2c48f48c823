package limitwriter

import (
	"errors"
	"io"
)

// ErrLimit is returned by Write when the limit stops it from writing all of p.
var ErrLimit = errors.New("limitwriter: write limit reached")

// Writer writes at most a fixed number of bytes to an underlying writer.
type Writer struct {
	w       io.Writer
	limit   int64
	written int64
}

// New returns a Writer passing at most limit bytes on to w.
func New(w io.Writer, limit int64) *Writer { return &Writer{w: w, limit: limit} }

// Write writes as much of p as the limit allows.
func (w *Writer) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	chunk, limited := p, false
	if left := w.limit - w.written; int64(len(p)) > left {
		chunk, limited = p[:left], true
	}
	var n int
	var err error
	if len(chunk) > 0 {
		n, err = w.w.Write(chunk)
		w.written += int64(len(chunk))
	}
	switch {
	case err != nil:
		return n, err
	case n < len(chunk):
		return n, io.ErrShortWrite
	case limited:
		return n, ErrLimit
	}
	return n, nil
}

// Written returns the number of bytes written so far.
func (w *Writer) Written() int64 { return w.written }
