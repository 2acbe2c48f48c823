package teesplit

import (
	"errors"
	"fmt"
	"io"
)

// ErrTooLong is returned (wrapped) for a line longer than the maximum.
var ErrTooLong = errors.New("teesplit: line too long")

// Split reads fixed-size chunks itself, tees each chunk, and scans it byte by byte; a pending
// '\r' is held back until the next byte shows whether it starts a "\r\n" ending.
func Split(r io.Reader, tee io.Writer, max int) ([]string, error) {
	var (
		lines   []string
		cur     []byte
		pending bool // a '\r' seen, not yet known to be part of the line
		buf     = make([]byte, 4096)
	)
	number := 1
	emit := func() error {
		if len(cur) > max {
			return fmt.Errorf("teesplit: line %d: %w", number, ErrTooLong)
		}
		lines = append(lines, string(cur))
		cur = cur[:0]
		number++
		return nil
	}
	for {
		n, rerr := r.Read(buf)
		if n > 0 && tee != nil {
			if _, err := tee.Write(buf[:n]); err != nil {
				return lines, err
			}
		}
		for _, c := range buf[:n] {
			if pending {
				pending = false
				if c == '\n' {
					if err := emit(); err != nil {
						return lines, err
					}
					continue
				}
				cur = append(cur, '\r')
			}
			switch c {
			case '\r':
				pending = true
			case '\n':
				if err := emit(); err != nil {
					return lines, err
				}
			default:
				cur = append(cur, c)
			}
			if len(cur) > max {
				return lines, fmt.Errorf("teesplit: line %d: %w", number, ErrTooLong)
			}
		}
		if rerr == io.EOF {
			if pending {
				cur = append(cur, '\r')
			}
			if len(cur) > 0 || pending {
				if err := emit(); err != nil {
					return lines, err
				}
			}
			return lines, nil
		}
		if rerr != nil {
			return lines, rerr
		}
	}
}
