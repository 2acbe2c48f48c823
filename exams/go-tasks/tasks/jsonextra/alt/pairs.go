package jsonextra

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// ErrDuplicate is returned (wrapped) when an object has the same member name twice.
var ErrDuplicate = errors.New("jsonextra: duplicate member")

// Record is a JSON object with three known members and any others kept raw.
type Record struct {
	ID    string
	Name  string
	Tags  []string
	Extra map[string]json.RawMessage
}

type member struct {
	key string
	raw json.RawMessage
}

// members reads the object's members in order, as (name, raw value) pairs.
func members(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("jsonextra: not an object (%v)", err)
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, member{tok.(string), raw})
	}
	return out, nil
}

// UnmarshalJSON collects the members first, checks names with a sort, then routes each value
// through a table of destinations.
func (r *Record) UnmarshalJSON(data []byte) error {
	ms, err := members(data)
	if err != nil {
		return err
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.key
	}
	sort.Strings(names)
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] {
			return fmt.Errorf("%w: %q", ErrDuplicate, names[i])
		}
	}
	var out Record
	dest := map[string]any{"id": &out.ID, "name": &out.Name, "tags": &out.Tags}
	for _, m := range ms {
		if d, ok := dest[m.key]; ok {
			if err := json.Unmarshal(m.raw, d); err != nil {
				return err
			}
			continue
		}
		if out.Extra == nil {
			out.Extra = make(map[string]json.RawMessage, len(ms))
		}
		out.Extra[m.key] = m.raw
	}
	*r = out
	return nil
}

type known struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

// MarshalJSON marshals the known fields as a struct, then splices the sorted extras in
// before its closing brace.
func (r Record) MarshalJSON() ([]byte, error) {
	head, err := json.Marshal(known{r.ID, r.Name, r.Tags})
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(r.Extra))
	for k := range r.Extra {
		if _, clash := map[string]bool{"id": true, "name": true, "tags": true}[k]; clash {
			return nil, fmt.Errorf("jsonextra: Extra member %q is a known field", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := bytes.TrimSuffix(head, []byte("}"))
	for _, k := range keys {
		if !json.Valid(r.Extra[k]) {
			return nil, fmt.Errorf("jsonextra: Extra member %q is not valid JSON", k)
		}
		name, _ := json.Marshal(k)
		out = append(out, ',')
		out = append(out, name...)
		out = append(out, ':')
		out = append(out, r.Extra[k]...)
	}
	return append(out, '}'), nil
}
