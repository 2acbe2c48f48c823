package upper

import (
	"io"
	"unicode"
	"unicode/utf8"
)

// Copy reads fixed-size chunks itself and carries an incomplete trailing rune over to the next
// read (utf8.FullRune), writing each converted chunk straight to dst.
func Copy(dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, 8192)
	carry := 0 // bytes of an incomplete rune kept at the start of buf
	var out []byte
	var written int64
	write := func(p []byte) error {
		n, err := dst.Write(p)
		written += int64(n)
		if err == nil && n < len(p) {
			err = io.ErrShortWrite
		}
		return err
	}
	for {
		n, rerr := src.Read(buf[carry:])
		data := buf[:carry+n]
		out = out[:0]
		i := 0
		for i < len(data) {
			if !utf8.FullRune(data[i:]) && rerr == nil {
				break
			}
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				out = append(out, data[i])
				i++
				continue
			}
			out = utf8.AppendRune(out, unicode.ToUpper(r))
			i += size
		}
		if err := write(out); err != nil {
			return written, err
		}
		carry = copy(buf, data[i:])
		if rerr == io.EOF {
			return written, nil
		}
		if rerr != nil {
			return written, rerr
		}
	}
}
