package jsonextra_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"gotasks/jsonextra"
)

func decode(t *testing.T, in string) jsonextra.Record {
	t.Helper()
	var r jsonextra.Record
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatalf("Unmarshal(%s): %v", in, err)
	}
	return r
}

func compact(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "invalid JSON " + string(raw)
	}
	return b.String()
}

// extras returns Extra with each value compacted, for comparison.
func extras(r jsonextra.Record) map[string]string {
	out := map[string]string{}
	for k, v := range r.Extra {
		out[k] = compact(v)
	}
	return out
}

func same(a, b map[string]string) bool { return maps.Equal(a, b) }

func TestDecodeKnown(t *testing.T) {
	r := decode(t, `{"id":"a1","name":"Ann","tags":["x","y"]}`)
	if r.ID != "a1" || r.Name != "Ann" || !slices.Equal(r.Tags, []string{"x", "y"}) || len(r.Extra) != 0 {
		t.Errorf("decoded %+v", r)
	}
	r = decode(t, `{"name":"Bo","id":null,"tags":null}`)
	if r.ID != "" || r.Name != "Bo" || len(r.Tags) != 0 || len(r.Extra) != 0 {
		t.Errorf("decoded %+v", r)
	}
	r = decode(t, `{}`)
	if r.ID != "" || r.Name != "" || len(r.Tags) != 0 || len(r.Extra) != 0 {
		t.Errorf("decoded {} as %+v", r)
	}
}

func TestDecodeExtra(t *testing.T) {
	r := decode(t, `{"id":"a","big":12345678901234567890123,"price":1.50,"exp":1e400,"obj":{"z":1,"a":[true,null]},"s":"h\u00e9llo","n":null}`)
	want := map[string]string{
		"big": "12345678901234567890123", "price": "1.50", "exp": "1e400",
		"obj": `{"z":1,"a":[true,null]}`, "s": `"h\u00e9llo"`, "n": "null",
	}
	if got := extras(r); !same(got, want) || r.ID != "a" {
		t.Errorf("Extra = %v, want %v", got, want)
	}
}

func TestCaseSensitive(t *testing.T) {
	r := decode(t, `{"id":"lower","ID":"upper","Name":"N","TAGS":[]}`)
	want := map[string]string{"ID": `"upper"`, "Name": `"N"`, "TAGS": "[]"}
	if r.ID != "lower" || r.Name != "" || len(r.Tags) != 0 || !same(extras(r), want) {
		t.Errorf("decoded %+v, Extra %v; want ID lower and Extra %v", r, extras(r), want)
	}
}

func TestDuplicates(t *testing.T) {
	for _, in := range []string{
		`{"id":"a","id":"b"}`,
		`{"x":1,"y":2,"x":1}`,
		`{"i\u0064":"a","id":"a"}`,
		`{"tags":[],"name":"n","tags":["t"]}`,
		`{"x":null,"x":null}`,
	} {
		var r jsonextra.Record
		if err := json.Unmarshal([]byte(in), &r); !errors.Is(err, jsonextra.ErrDuplicate) {
			t.Errorf("Unmarshal(%s) = %v, want ErrDuplicate", in, err)
		}
	}
	r := decode(t, `{"x":{"a":1,"a":2},"y":[{"b":1,"b":1}]}`)
	if got := extras(r); got["x"] != `{"a":1,"a":2}` || got["y"] != `[{"b":1,"b":1}]` {
		t.Errorf("nested values changed: %v", got)
	}
}

func TestInvalid(t *testing.T) {
	prior := jsonextra.Record{ID: "keep", Extra: map[string]json.RawMessage{"k": json.RawMessage("1")}}
	for _, in := range []string{`[]`, `5`, `"x"`, `{"id":5}`, `{"name":["a"]}`, `{"tags":"t"}`, `{"tags":[1]}`, `{"id":"a","id":"a"}`} {
		r := prior
		if err := json.Unmarshal([]byte(in), &r); err == nil {
			t.Errorf("Unmarshal(%s) gave no error", in)
		}
		if r.ID != "keep" || string(r.Extra["k"]) != "1" || len(r.Extra) != 1 {
			t.Errorf("Unmarshal(%s) failed but changed the record to %+v", in, r)
		}
	}
}

func TestReplaces(t *testing.T) {
	r := jsonextra.Record{ID: "old", Name: "old", Tags: []string{"old"}, Extra: map[string]json.RawMessage{"old": json.RawMessage("1")}}
	if err := json.Unmarshal([]byte(`{"name":"new","new":2}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != "" || r.Name != "new" || len(r.Tags) != 0 || !same(extras(r), map[string]string{"new": "2"}) {
		t.Errorf("decoding over an old record gave %+v, Extra %v", r, extras(r))
	}
}

func TestEncode(t *testing.T) {
	for _, c := range []struct {
		r    jsonextra.Record
		want string
	}{
		{jsonextra.Record{ID: "a", Name: "b", Tags: []string{"t"}}, `{"id":"a","name":"b","tags":["t"]}`},
		{jsonextra.Record{}, `{"id":"","name":""}`},
		{jsonextra.Record{ID: "a", Tags: []string{}}, `{"id":"a","name":""}`},
		{jsonextra.Record{ID: "q\"", Extra: map[string]json.RawMessage{"z": json.RawMessage(`{"k": true}`), "a": json.RawMessage("1.50")}},
			`{"id":"q\"","name":"","a":1.50,"z":{"k":true}}`},
	} {
		got, err := json.Marshal(c.r)
		if err != nil || string(got) != c.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", c.r, got, err, c.want)
		}
	}
}

func TestEncodeSorted(t *testing.T) {
	r := jsonextra.Record{ID: "x", Extra: map[string]json.RawMessage{}}
	want := `{"id":"x","name":""`
	for i := 0; i < 16; i++ {
		key := fmt.Sprintf("k%02d", i)
		r.Extra[key] = json.RawMessage(fmt.Sprint(i))
		want += fmt.Sprintf(`,"%s":%d`, key, i)
	}
	r.Extra["B"] = json.RawMessage("true")
	want = `{"id":"x","name":"","B":true` + want[len(`{"id":"x","name":""`):] + "}"
	got, err := json.Marshal(r)
	if err != nil || string(got) != want {
		t.Errorf("Marshal = %s, %v\nwant %s", got, err, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, extra := range []map[string]json.RawMessage{
		{"id": json.RawMessage(`"x"`)},
		{"tags": json.RawMessage(`[]`)},
		{"ok": json.RawMessage(`{"unclosed":`)},
	} {
		if got, err := json.Marshal(jsonextra.Record{ID: "a", Extra: extra}); err == nil {
			t.Errorf("Marshal with Extra %v = %s, want an error", extra, got)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, in := range []string{
		`{"id":"a","name":"n","tags":["x"],"big":12345678901234567890123,"f":1.50,"o":{"b":[1,2,{"c":null}]}}`,
		`{"z":"last","a":"first","ID":"other"}`,
		`{"name":"only"}`,
		`{"id":"\u00e9\n","s":"\ud83d\ude00","e":-0.0e-0}`,
	} {
		first := decode(t, in)
		enc1, err := json.Marshal(first)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		second := decode(t, string(enc1))
		enc2, err := json.Marshal(second)
		if err != nil || !bytes.Equal(enc1, enc2) {
			t.Errorf("round trip of %s not stable:\n%s\n%s", in, enc1, enc2)
		}
		if first.ID != second.ID || first.Name != second.Name || !slices.Equal(first.Tags, second.Tags) || !same(extras(first), extras(second)) {
			t.Errorf("round trip of %s changed the record: %+v / %+v", in, first, second)
		}
	}
}
