package upper

import (
	"bufio"
	"io"
	"unicode"
	"unicode/utf8"
)

// Copy copies src to dst with every letter upper-cased.
func Copy(dst io.Writer, src io.Reader) (int64, error) {
	in := bufio.NewReader(src)
	cw := &countingWriter{w: dst}
	out := bufio.NewWriter(cw)
	var buf [utf8.UTFMax]byte
	for {
		r, size, err := in.ReadRune()
		if err == io.EOF {
			break
		}
		if err != nil {
			out.Flush()
			return cw.n, err
		}
		if r == utf8.RuneError && size == 1 {
			if err := in.UnreadRune(); err != nil {
				return cw.n, err
			}
			b, _ := in.ReadByte()
			if err := out.WriteByte(b); err != nil {
				return cw.n, err
			}
			continue
		}
		n := utf8.EncodeRune(buf[:], unicode.ToUpper(r))
		if _, err := out.Write(buf[:n]); err != nil {
			return cw.n, err
		}
	}
	err := out.Flush()
	return cw.n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
