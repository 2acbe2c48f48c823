package linenum

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Number copies r to w with each line prefixed by its 1-based number and ": ".
func Number(r io.Reader, w io.Writer) error {
	br := bufio.NewReader(r)
	bw := bufio.NewWriter(w)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			if _, werr := fmt.Fprintf(bw, "%d: %s\n", n, strings.TrimSuffix(line, "\n")); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return bw.Flush()
		}
		if err != nil {
			return err
		}
	}
}
