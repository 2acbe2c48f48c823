package linenum

import (
	"bufio"
	"fmt"
	"io"
)

// Number copies r to w with each line prefixed by its 1-based number and ": ".
func Number(r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	n := 1
	for sc.Scan() {
		if _, err := fmt.Fprintf(w, "%d: %s\n", n, sc.Text()); err != nil {
			return err
		}
		n++
	}
	return sc.Err()
}
