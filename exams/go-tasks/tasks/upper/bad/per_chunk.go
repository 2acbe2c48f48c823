package upper

import (
	"bytes"
	"io"
)

// Copy copies src to dst with every letter upper-cased.
func Copy(dst io.Writer, src io.Reader) (int64, error) {
	var total int64
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			w, werr := dst.Write(bytes.ToUpper(buf[:n]))
			total += int64(w)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
