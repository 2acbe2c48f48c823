package linenum

import (
	"bytes"
	"io"
	"strconv"
)

// Number reads fixed-size chunks and splits them at newlines by hand, remembering across
// chunks whether the next byte starts a line; it writes straight to w, without bufio.
func Number(r io.Reader, w io.Writer) error {
	buf := make([]byte, 32*1024)
	atStart := true
	n := 0
	for {
		size, rerr := r.Read(buf)
		chunk := buf[:size]
		for len(chunk) > 0 {
			if atStart {
				n++
				if _, err := io.WriteString(w, strconv.Itoa(n)+": "); err != nil {
					return err
				}
				atStart = false
			}
			end := len(chunk)
			if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
				end, atStart = i+1, true
			}
			if _, err := w.Write(chunk[:end]); err != nil {
				return err
			}
			chunk = chunk[end:]
		}
		if rerr == io.EOF {
			if !atStart {
				_, err := io.WriteString(w, "\n")
				return err
			}
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}
