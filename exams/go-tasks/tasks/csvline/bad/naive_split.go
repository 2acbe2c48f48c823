package csvline

import (
	"errors"
	"strings"
)

// ErrUnterminated is returned when a quoted field has no closing quote.
var ErrUnterminated = errors.New("unterminated quoted field")

// SplitFields splits one CSV line into its fields.
func SplitFields(line string) ([]string, error) {
	parts := strings.Split(line, ",")
	for i, p := range parts {
		if len(p) >= 2 && strings.HasPrefix(p, `"`) && strings.HasSuffix(p, `"`) {
			parts[i] = strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		}
	}
	return parts, nil
}
