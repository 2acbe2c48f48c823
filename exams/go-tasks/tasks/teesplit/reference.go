package teesplit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrTooLong is returned (wrapped) for a line longer than the maximum.
var ErrTooLong = errors.New("teesplit: line too long")

// Split reads r to the end and returns its lines, copying what it reads to tee.
func Split(r io.Reader, tee io.Writer, max int) ([]string, error) {
	if tee != nil {
		r = io.TeeReader(r, tee)
	}
	br := bufio.NewReader(r)
	var lines []string
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return lines, err
		}
		if line == "" {
			return lines, nil
		}
		if text, ok := strings.CutSuffix(line, "\n"); ok {
			line = strings.TrimSuffix(text, "\r")
		}
		if len(line) > max {
			return lines, fmt.Errorf("teesplit: line %d: %w", n, ErrTooLong)
		}
		lines = append(lines, line)
		if err == io.EOF {
			return lines, nil
		}
	}
}
