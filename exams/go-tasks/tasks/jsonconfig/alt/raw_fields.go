package jsonconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Duration(d).String())), nil
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil || len(b) == 0 || b[0] != '"' {
		return fmt.Errorf("jsonconfig: duration %s is not a string", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

type Server struct {
	Name     string   `json:"name"`
	Port     int      `json:"port"`
	Tags     []string `json:"tags,omitempty"`
	Timeout  Duration `json:"timeout"`
	Debug    bool     `json:"debug,omitempty"`
	Password string   `json:"-"`
}

// Parse decodes the object into raw fields first, so that it can check the keys and apply the
// defaults itself, then decodes each known field.
func Parse(data []byte) (Server, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Server{}, err
	}
	s := Server{Port: 8080, Timeout: Duration(30 * time.Second)}
	for key, value := range raw {
		var target any
		switch key {
		case "name":
			target = &s.Name
		case "port":
			target = &s.Port
		case "tags":
			target = &s.Tags
		case "timeout":
			target = &s.Timeout
		case "debug":
			target = &s.Debug
		default:
			return Server{}, fmt.Errorf("jsonconfig: unknown key %q", key)
		}
		if err := json.Unmarshal(value, target); err != nil {
			return Server{}, fmt.Errorf("jsonconfig: %s: %w", key, err)
		}
	}
	if s.Name == "" {
		return Server{}, errors.New("jsonconfig: name is required")
	}
	return s, nil
}
