package iniparse_test

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"gotasks/iniparse"
)

func parse(t *testing.T, doc string) iniparse.File {
	t.Helper()
	f, err := iniparse.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("Parse(%q): %v", doc, err)
	}
	return f
}

func checkFile(t *testing.T, doc string, want iniparse.File) {
	t.Helper()
	if got := parse(t, doc); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(%q) =\n  %v\nwant\n  %v", doc, got, want)
	}
}

func TestSectionsAndKeys(t *testing.T) {
	checkFile(t, "[server]\nhost = example.com\nport = 8080\n\n[client]\nretries = 3\n[empty]\n",
		iniparse.File{
			"server": {"host": "example.com", "port": "8080"},
			"client": {"retries": "3"},
			"empty":  {},
		})
	checkFile(t, "[a]\nexpr = x=1\nurl=http://h/?q=2\n", iniparse.File{"a": {"expr": "x=1", "url": "http://h/?q=2"}})
}

func TestGlobalKeys(t *testing.T) {
	checkFile(t, "name = top\n[s]\nk = v\n", iniparse.File{"": {"name": "top"}, "s": {"k": "v"}})
	checkFile(t, "[s]\nk = v\n", iniparse.File{"s": {"k": "v"}})
}

func TestComments(t *testing.T) {
	doc := "; a comment\n# another\n\n[s]\n  ; indented comment\nport = 8080 ; the port\nurl = http://x/#frag\nmark = a;b\ntab = v\t# note\nempty = ;nothing\n"
	checkFile(t, doc, iniparse.File{"s": {"port": "8080", "url": "http://x/#frag", "mark": "a;b", "tab": "v", "empty": ""}})
}

func TestQuotedValues(t *testing.T) {
	doc := `[q]
spaced = "  two  "
quote = "a \"b\" c"
path = "C:\\dir\\x"
other = "a\nb"
semi = "a ; b # c = d"
commented = "v" ; trailing comment
empty = ""
`
	checkFile(t, doc, iniparse.File{"q": {
		"spaced": "  two  ", "quote": `a "b" c`, "path": `C:\dir\x`, "other": `a\nb`,
		"semi": "a ; b # c = d", "commented": "v", "empty": "",
	}})
}

func TestWhitespaceAndCRLF(t *testing.T) {
	doc := "  [ sect ]  \r\n\tkey   =   value  \r\n k2=v2\r\nk3 =\r\n"
	checkFile(t, doc, iniparse.File{"sect": {"key": "value", "k2": "v2", "k3": ""}})
}

func TestRepeatedSection(t *testing.T) {
	checkFile(t, "[a]\nx = 1\n[b]\ny = 2\n[a]\nz = 3\n", iniparse.File{"a": {"x": "1", "z": "3"}, "b": {"y": "2"}})
	checkFile(t, "[a]\nk = 1\n[b]\nk = 2\n", iniparse.File{"a": {"k": "1"}, "b": {"k": "2"}})
}

func TestErrorLines(t *testing.T) {
	for _, c := range []struct {
		doc  string
		line int
	}{
		{"[s]\nk = v\njust text\n", 3},
		{"[s]\n[unclosed\n", 2},
		{"; c\n\n[ ]\n", 3},
		{"[s]\n= value\n", 2},
		{"[s]\nk = \"open\n", 2},
		{"[s]\nk = \"v\" extra\n", 2},
		{"[s]\na = 1\n\n# c\na = 2\n", 5},
		{"a = 1\n[s]\na = 2\n[t]\nb = \"\\\"\n", 5},
	} {
		_, err := iniparse.Parse(strings.NewReader(c.doc))
		var pe *iniparse.ParseError
		if !errors.As(err, &pe) || pe.Line != c.line {
			t.Errorf("Parse(%q) error = %v; want a *ParseError at line %d", c.doc, err, c.line)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := iniparse.Parse(strings.NewReader("[s]\nok = 1\nbroken\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "line 3: ") {
		t.Errorf("error = %v; want a message starting with \"line 3: \"", err)
	}
	if got := (&iniparse.ParseError{Line: 7, Msg: "missing '='"}).Error(); got != "line 7: missing '='" {
		t.Errorf("ParseError{7, missing '='}.Error() = %q", got)
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("[s]\nk = v\n"), iotest.ErrReader(boom))
	if _, err := iniparse.Parse(r); !errors.Is(err, boom) {
		t.Errorf("Parse of a failing reader: error = %v; want one wrapping %v", err, boom)
	}
	var pe *iniparse.ParseError
	if _, err := iniparse.Parse(iotest.OneByteReader(strings.NewReader("[s]\nk = 1\nk = 2\n"))); !errors.As(err, &pe) || pe.Line != 3 {
		t.Errorf("Parse one byte at a time: error = %v; want a *ParseError at line 3", err)
	}
}
