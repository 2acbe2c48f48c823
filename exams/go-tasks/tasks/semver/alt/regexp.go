package semver

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// Version is a parsed semantic version.
type Version struct {
	Major, Minor, Patch uint64
	Pre                 []string
	Build               []string
}

// ErrInvalid is returned for a string that is not a valid version.
var ErrInvalid = errors.New("semver: invalid version")

// The regular expression suggested by semver.org (section "Is there a suggested regular
// expression..."), with \d spelled [0-9].
var grammar = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)` +
	`(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// Parse matches the grammar, then converts the three numbers.
func Parse(s string) (Version, error) {
	m := grammar.FindStringSubmatch(s)
	if m == nil {
		return Version{}, ErrInvalid
	}
	var nums [3]uint64
	for i := range nums {
		n, err := strconv.ParseUint(m[i+1], 10, 64)
		if err != nil {
			return Version{}, ErrInvalid
		}
		nums[i] = n
	}
	v := Version{Major: nums[0], Minor: nums[1], Patch: nums[2]}
	if m[4] != "" {
		v.Pre = strings.Split(m[4], ".")
	}
	if m[5] != "" {
		v.Build = strings.Split(m[5], ".")
	}
	return v, nil
}

// String formats v as Parse reads it.
func (v Version) String() string {
	var b strings.Builder
	b.WriteString(strconv.FormatUint(v.Major, 10) + "." + strconv.FormatUint(v.Minor, 10) + "." + strconv.FormatUint(v.Patch, 10))
	if len(v.Pre) > 0 {
		b.WriteString("-" + strings.Join(v.Pre, "."))
	}
	if len(v.Build) > 0 {
		b.WriteString("+" + strings.Join(v.Build, "."))
	}
	return b.String()
}

func sign(less, greater bool) int {
	if less {
		return -1
	}
	if greater {
		return 1
	}
	return 0
}

// key maps an identifier to (kind, numeric length, text) so one tuple comparison orders it:
// numeric identifiers have kind 0 and compare by length then digits, others kind 1.
func key(id string) (int, int, string) {
	if strings.Trim(id, "0123456789") == "" {
		return 0, len(id), id
	}
	return 1, 0, id
}

// Compare walks the fields as a list of keys, treating "no pre-release" as +infinity.
func Compare(a, b Version) int {
	core := [][2]uint64{{a.Major, b.Major}, {a.Minor, b.Minor}, {a.Patch, b.Patch}}
	for _, p := range core {
		if c := sign(p[0] < p[1], p[0] > p[1]); c != 0 {
			return c
		}
	}
	if len(a.Pre) == 0 || len(b.Pre) == 0 {
		return sign(len(a.Pre) > 0 && len(b.Pre) == 0, len(a.Pre) == 0 && len(b.Pre) > 0)
	}
	for i := 0; ; i++ {
		if i == len(a.Pre) || i == len(b.Pre) {
			return sign(len(a.Pre) < len(b.Pre), len(a.Pre) > len(b.Pre))
		}
		ka, la, ta := key(a.Pre[i])
		kb, lb, tb := key(b.Pre[i])
		if c := sign(ka < kb || ka == kb && (la < lb || la == lb && ta < tb), ka > kb || ka == kb && (la > lb || la == lb && ta > tb)); c != 0 {
			return c
		}
	}
}
