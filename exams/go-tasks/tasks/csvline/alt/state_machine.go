package csvline

import "errors"

var ErrUnterminated = errors.New("unterminated quoted field")

// SplitFields runs a four-state machine over the bytes of line.
func SplitFields(line string) ([]string, error) {
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteSeen // a quote inside a quoted field: the end, or the first of ""
	)
	var fields []string
	var field []byte
	state := fieldStart
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch state {
		case fieldStart, unquoted:
			switch {
			case c == ',':
				fields = append(fields, string(field))
				field, state = field[:0], fieldStart
			case c == '"' && state == fieldStart:
				state = quoted
			default:
				field, state = append(field, c), unquoted
			}
		case quoted:
			if c == '"' {
				state = quoteSeen
			} else {
				field = append(field, c)
			}
		case quoteSeen:
			switch c {
			case '"':
				field, state = append(field, '"'), quoted
			case ',':
				fields = append(fields, string(field))
				field, state = field[:0], fieldStart
			default:
				state = unquoted // text after the closing quote is dropped up to the comma
				for i+1 < len(line) && line[i+1] != ',' {
					i++
				}
			}
		}
	}
	if state == quoted {
		return nil, ErrUnterminated
	}
	return append(fields, string(field)), nil
}
