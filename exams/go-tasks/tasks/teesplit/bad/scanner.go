package teesplit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ErrTooLong is returned (wrapped) for a line longer than the maximum.
var ErrTooLong = errors.New("teesplit: line too long")

// Split reads r to the end and returns its lines, copying what it reads to tee.
func Split(r io.Reader, tee io.Writer, max int) ([]string, error) {
	if tee != nil {
		r = io.TeeReader(r, tee)
	}
	sc := bufio.NewScanner(r)
	var lines []string
	for n := 1; sc.Scan(); n++ {
		if len(sc.Text()) > max {
			return lines, fmt.Errorf("teesplit: line %d: %w", n, ErrTooLong)
		}
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}
