package iniparse

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// File maps a section name to its keys and values.
type File map[string]map[string]string

// ParseError says which line is malformed.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

const blanks = " \t"

// Parse reads an INI document line by line.
func Parse(r io.Reader) (File, error) {
	file := File{}
	section := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.Trim(strings.TrimSuffix(sc.Text(), "\r"), blanks)
		fail := func(msg string) (File, error) { return nil, &ParseError{n, msg} }
		switch {
		case line == "" || line[0] == ';' || line[0] == '#':
			continue
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return fail("section header without ']'")
			}
			section = strings.Trim(line[1:len(line)-1], blanks)
			if section == "" {
				return fail("empty section name")
			}
			if file[section] == nil {
				file[section] = map[string]string{}
			}
			continue
		}
		key, raw, found := strings.Cut(line, "=")
		if !found {
			return fail("missing '='")
		}
		if key = strings.Trim(key, blanks); key == "" {
			return fail("empty key")
		}
		value, err := parseValue(raw)
		if err != "" {
			return fail(err)
		}
		if file[section] == nil {
			file[section] = map[string]string{}
		}
		if _, dup := file[section][key]; dup {
			return fail(fmt.Sprintf("key %q set twice in section %q", key, section))
		}
		file[section][key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("iniparse: reading: %w", err)
	}
	return file, nil
}

// parseValue returns the value of raw, the text after '=', or what is wrong with it.
func parseValue(raw string) (string, string) {
	if !strings.HasPrefix(strings.TrimLeft(raw, blanks), `"`) {
		return strings.Trim(raw, blanks), ""
	}
	raw = strings.Trim(raw, blanks)
	var b strings.Builder
	for i := 1; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '\\' && i+1 < len(raw) && (raw[i+1] == '"' || raw[i+1] == '\\'):
			b.WriteByte(raw[i+1])
			i++
		case c == '"':
			rest := strings.TrimLeft(raw[i+1:], blanks)
			if rest != "" && rest[0] != ';' && rest[0] != '#' {
				return "", "text after the closing quote"
			}
			return b.String(), ""
		default:
			b.WriteByte(c)
		}
	}
	return "", "missing closing quote"
}
