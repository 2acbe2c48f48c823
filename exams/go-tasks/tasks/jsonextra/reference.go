package jsonextra

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
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

// UnmarshalJSON walks the object's members with a token decoder, so that it sees every
// member name (duplicates included) exactly as written.
func (r *Record) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("jsonextra: want an object, got %v", tok)
	}
	var out Record
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return fmt.Errorf("%w: %q", ErrDuplicate, key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		switch key {
		case "id":
			err = json.Unmarshal(raw, &out.ID)
		case "name":
			err = json.Unmarshal(raw, &out.Name)
		case "tags":
			err = json.Unmarshal(raw, &out.Tags)
		default:
			if out.Extra == nil {
				out.Extra = map[string]json.RawMessage{}
			}
			out.Extra[key] = raw
		}
		if err != nil {
			return fmt.Errorf("jsonextra: member %q: %w", key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*r = out
	return nil
}

// MarshalJSON writes the known members, then the extra ones sorted by name.
func (r Record) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	member := func(key string, value any) error {
		k, _ := json.Marshal(key)
		v, err := json.Marshal(value)
		if err != nil {
			return fmt.Errorf("jsonextra: member %q: %w", key, err)
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
		return nil
	}
	buf.WriteByte('{')
	_ = member("id", r.ID)
	_ = member("name", r.Name)
	if len(r.Tags) > 0 {
		_ = member("tags", r.Tags)
	}
	for _, key := range slices.Sorted(maps.Keys(r.Extra)) {
		if key == "id" || key == "name" || key == "tags" {
			return nil, fmt.Errorf("jsonextra: Extra has the known member %q", key)
		}
		if err := member(key, r.Extra[key]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
