package jsonconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Duration is a time.Duration written in JSON as a string.
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "1m30s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"30s\": %w", err)
	}
	parsed, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(parsed)
	return nil
}

// Server is one server's settings.
type Server struct {
	Name     string   `json:"name"`
	Port     int      `json:"port"`
	Tags     []string `json:"tags,omitempty"`
	Timeout  Duration `json:"timeout"`
	Debug    bool     `json:"debug,omitempty"`
	Password string   `json:"-"`
}

// Parse decodes one Server strictly, with defaults.
func Parse(data []byte) (Server, error) {
	s := Server{Port: 8080, Timeout: Duration(30 * time.Second)}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Server{}, err
	}
	if s.Name == "" {
		return Server{}, errors.New("jsonconfig: name is required")
	}
	return s, nil
}
