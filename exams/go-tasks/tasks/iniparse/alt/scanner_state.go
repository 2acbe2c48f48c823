package iniparse

import (
	"fmt"
	"io"
	"strings"
)

type File map[string]map[string]string

type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return "line " + fmt.Sprint(e.Line) + ": " + e.Msg }

func blank(c byte) bool { return c == ' ' || c == '\t' }

func trim(s string) string { return strings.Trim(s, " \t") }

func Parse(r io.Reader) (File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	out := File{}
	current := ""
	n := 0
	for raw := range strings.Lines(string(data)) {
		n++
		line := trim(strings.TrimSuffix(strings.TrimSuffix(raw, "\n"), "\r"))
		if line == "" || strings.IndexByte(";#", line[0]) >= 0 {
			continue
		}
		if line[0] == '[' {
			if line[len(line)-1] != ']' || trim(line[1:len(line)-1]) == "" {
				return nil, &ParseError{n, "bad section header"}
			}
			current = trim(line[1 : len(line)-1])
			if _, ok := out[current]; !ok {
				out[current] = make(map[string]string)
			}
			continue
		}
		eq := strings.IndexByte(line, '=')
		if eq < 0 || trim(line[:eq]) == "" {
			return nil, &ParseError{n, "expected key = value"}
		}
		key := trim(line[:eq])
		value, ok := readValue(line[eq+1:])
		if !ok {
			return nil, &ParseError{n, "bad value"}
		}
		keys, ok := out[current]
		if !ok {
			keys = make(map[string]string)
			out[current] = keys
		}
		if _, seen := keys[key]; seen {
			return nil, &ParseError{n, "duplicate key " + key}
		}
		keys[key] = value
	}
	return out, nil
}

// readValue walks the text after '=' with a small state machine.
func readValue(s string) (string, bool) {
	const (
		lead = iota // blanks before the value
		plain
		quoted
		escape
		after // after the closing quote
	)
	state := lead
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case lead:
			switch {
			case blank(c):
			case c == '"':
				state = quoted
			case (c == ';' || c == '#') && i > 0:
				return "", true
			default:
				state = plain
				b.WriteByte(c)
			}
		case plain:
			if (c == ';' || c == '#') && blank(s[i-1]) {
				return trim(b.String()), true
			}
			b.WriteByte(c)
		case quoted:
			switch c {
			case '\\':
				state = escape
			case '"':
				state = after
			default:
				b.WriteByte(c)
			}
		case escape:
			if c != '"' && c != '\\' {
				b.WriteByte('\\')
			}
			if c == '\\' || c == '"' {
				b.WriteByte(c)
			} else {
				i-- // read c again as an ordinary character of the quoted value
			}
			state = quoted
		case after:
			if c == ';' || c == '#' {
				return b.String(), true
			}
			if !blank(c) {
				return "", false
			}
		}
	}
	switch state {
	case quoted, escape:
		return "", false
	case plain:
		return trim(b.String()), true
	}
	return b.String(), true
}
