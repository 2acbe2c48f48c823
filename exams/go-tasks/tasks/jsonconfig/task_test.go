package jsonconfig_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"gotasks/jsonconfig"
)

func TestEncode(t *testing.T) {
	s := jsonconfig.Server{Name: "api", Port: 9000, Timeout: jsonconfig.Duration(90 * time.Second), Password: "hunter2"}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if want := `{"name":"api","port":9000,"timeout":"1m30s"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
}

func TestEncodeOptional(t *testing.T) {
	s := jsonconfig.Server{Name: "db", Port: 5432, Tags: []string{"a", "b"}, Debug: true}
	b, err := json.Marshal(&s)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if want := `{"name":"db","port":5432,"tags":["a","b"],"timeout":"0s","debug":true}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
}

func TestParseDefaults(t *testing.T) {
	s, err := jsonconfig.Parse([]byte(`{"name": "web"}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := jsonconfig.Server{Name: "web", Port: 8080, Timeout: jsonconfig.Duration(30 * time.Second)}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Parse = %+v, want %+v", s, want)
	}
}

func TestParseFull(t *testing.T) {
	s, err := jsonconfig.Parse([]byte(`{"name":"q","port":1,"tags":["x"],"timeout":"250ms","debug":true}`))
	want := jsonconfig.Server{Name: "q", Port: 1, Tags: []string{"x"}, Timeout: jsonconfig.Duration(250 * time.Millisecond), Debug: true}
	if err != nil || !reflect.DeepEqual(s, want) {
		t.Errorf("Parse = %+v, %v; want %+v", s, err, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{`{"port": 1}`, `{"name": ""}`, `{"name":"x","timeout":"soon"}`, `{"name":"x","timeout":30}`, `[1]`, `{`} {
		if s, err := jsonconfig.Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%s) = %+v with no error", in, s)
		}
	}
}

func TestUnknownKey(t *testing.T) {
	if _, err := jsonconfig.Parse([]byte(`{"name":"x","prot":80}`)); err == nil {
		t.Errorf("Parse with the unknown key \"prot\" returned no error")
	}
}

func TestPasswordIgnored(t *testing.T) {
	s, err := jsonconfig.Parse([]byte(`{"name":"x","Password":"p"}`))
	if err == nil && s.Password != "" {
		t.Errorf("Parse set Password from JSON: %+v", s)
	}
	b, _ := json.Marshal(jsonconfig.Server{Name: "x", Password: "secret"})
	var keys map[string]any
	json.Unmarshal(b, &keys)
	for k := range keys {
		if k == "Password" || k == "password" {
			t.Errorf("Marshal wrote the password: %s", b)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	in := jsonconfig.Server{Name: "rt", Port: 7, Tags: []string{"t"}, Timeout: jsonconfig.Duration(2 * time.Hour)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	out, err := jsonconfig.Parse(b)
	if err != nil || !reflect.DeepEqual(out, in) {
		t.Errorf("Parse(Marshal(%+v)) = %+v, %v (JSON %s)", in, out, err, b)
	}
}
