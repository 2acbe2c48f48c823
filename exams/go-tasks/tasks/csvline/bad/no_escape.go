package csvline

import (
	"errors"
	"strings"
)

// ErrUnterminated is returned when a quoted field has no closing quote.
var ErrUnterminated = errors.New("unterminated quoted field")

// SplitFields splits one CSV line into its fields.
func SplitFields(line string) ([]string, error) {
	var fields []string
	i := 0
	for {
		if i < len(line) && line[i] == '"' {
			var b strings.Builder
			i++
			for {
				if i >= len(line) {
					return nil, ErrUnterminated
				}
				if line[i] == '"' {
					i++
					break
				}
				b.WriteByte(line[i])
				i++
			}
			fields = append(fields, b.String())
			for i < len(line) && line[i] != ',' {
				i++
			}
		} else {
			end := strings.IndexByte(line[i:], ',')
			if end < 0 {
				fields = append(fields, line[i:])
				return fields, nil
			}
			fields = append(fields, line[i:i+end])
			i += end
		}
		if i >= len(line) {
			return fields, nil
		}
		i++ // the comma
	}
}
