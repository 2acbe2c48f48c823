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

type known struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

// UnmarshalJSON decodes the known fields with encoding/json and the rest into a map.
func (r *Record) UnmarshalJSON(data []byte) error {
	var k known
	if err := json.Unmarshal(data, &k); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	delete(all, "id")
	delete(all, "name")
	delete(all, "tags")
	if len(all) == 0 {
		all = nil
	}
	*r = Record{ID: k.ID, Name: k.Name, Tags: k.Tags, Extra: all}
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
