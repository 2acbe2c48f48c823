package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DeviceName is what the mock inverter calls itself; every metric must carry it.
const DeviceName = "QS-MOCK-PIKO"

// Inverter is a mock Kostal inverter. Scrape number n (from 1) reports
// OwnConsumedPower = n watts, so every metric names the scrape it came from.
type Inverter struct {
	mu       sync.Mutex
	paused   bool
	served   []time.Time // served[n-1] is when scrape n was answered
	refused  int         // requests answered 503 while paused
	listener net.Listener
	server   *http.Server
}

// StartInverter listens on a loopback port and serves measurements.xml.
func StartInverter() (*Inverter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("inverter listen: %w", err)
	}
	inv := &Inverter{listener: ln}
	inv.server = &http.Server{Handler: http.HandlerFunc(inv.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = inv.server.Serve(ln) }()
	return inv, nil
}

// Host is the host:port to pass as -inverter-host.
func (inv *Inverter) Host() string { return inv.listener.Addr().String() }

// Close stops the server and drops its connections.
func (inv *Inverter) Close() { _ = inv.server.Close() }

func (inv *Inverter) serve(w http.ResponseWriter, r *http.Request) {
	inv.mu.Lock()
	if inv.paused {
		inv.refused++
		inv.mu.Unlock()
		http.Error(w, "inverter busy", http.StatusServiceUnavailable)
		return
	}
	inv.served = append(inv.served, time.Now())
	n := len(inv.served)
	inv.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<root>
  <Device Name="%s" Type="PIKO 10" Serial="QS000001" IpAddress="%s" DateTime="%s">
    <Measurements>
      <Measurement Value="231.4" Unit="V" Type="AC_Voltage"/>
      <Measurement Value="%d" Unit="W" Type="OwnConsumedPower"/>
      <Measurement Value="0" Unit="W" Type="GridConsumedPower"/>
      <Measurement Value="1500" Unit="W" Type="GridInjectedPower"/>
    </Measurements>
  </Device>
</root>
`, DeviceName, inv.Host(), time.Now().Format("2006-01-02T15:04:05"), n)
}

// Served is the number of scrapes answered so far (the newest scrape id).
func (inv *Inverter) Served() int {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return len(inv.served)
}

// Refused is the number of scrape attempts answered 503 while paused.
func (inv *Inverter) Refused() int {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.refused
}

// SetPaused makes the inverter answer 503 (paused) or measurements (not paused).
func (inv *Inverter) SetPaused(paused bool) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.paused = paused
}

// SinkMode is the state of the mock sink.
type SinkMode int

const (
	SinkOnline      SinkMode = iota // answers 204 and records the metric
	SinkFailing                     // answers 503
	SinkRefused                     // listener closed: connections are refused
	SinkSlowFailing                 // answers 503 after FailDelay (widens race windows)
)

func (m SinkMode) String() string {
	return [...]string{"online", "failing (HTTP 503)", "refusing connections", "failing slowly (HTTP 503)"}[m]
}

// Delivery is one metric the sink accepted.
type Delivery struct {
	ID     int // scrape number, 0 when the metric names none
	At     time.Time
	Device string
}

// Sink is a mock metrics sink on a fixed loopback port that can go offline by
// answering 503 or by closing its listener, and come back on the same port.
type Sink struct {
	mu         sync.Mutex
	addr       string
	mode       SinkMode
	server     *http.Server
	deliveries []Delivery
	malformed  int
	failed     int
	failDelay  time.Duration // how long a write waits for its 503 in SinkSlowFailing mode
}

// SetFailDelay sets how long writes wait for their 503 in SinkSlowFailing mode.
func (s *Sink) SetFailDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failDelay = d
}

// StartSink listens on a loopback port outside the ephemeral range, so the
// port is free again when the sink comes back after refusing connections.
func StartSink() (*Sink, error) {
	s := &Sink{}
	var lastErr error
	for attempt := 0; attempt < 50; attempt++ {
		addr := fmt.Sprintf("127.0.0.1:%d", 10000+rand.Intn(20000))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			lastErr = err
			continue
		}
		s.addr = addr
		s.serveOn(ln)
		return s, nil
	}
	return nil, fmt.Errorf("sink listen: %w", lastErr)
}

func (s *Sink) serveOn(ln net.Listener) {
	s.server = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	srv := s.server
	go func() { _ = srv.Serve(ln) }()
}

// URL is the base URL to pass as -sink-url.
func (s *Sink) URL() string { return "http://" + s.addr }

// Close stops the sink for good.
func (s *Sink) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.server != nil {
		_ = s.server.Close()
		s.server = nil
	}
}

// SetMode switches the sink; going back online re-listens on the same port.
func (s *Sink) SetMode(mode SinkMode) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mode == SinkRefused {
		if s.server != nil {
			_ = s.server.Close() // closes the listener and every open connection
			s.server = nil
		}
		s.mode = mode
		return nil
	}
	if s.server == nil {
		var ln net.Listener
		var err error
		for end := time.Now().Add(5 * time.Second); ; {
			if ln, err = net.Listen("tcp", s.addr); err == nil || time.Now().After(end) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("sink re-listen on %s: %w", s.addr, err)
		}
		s.serveOn(ln)
	}
	s.mode = mode
	return nil
}

func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	s.mu.Lock()
	if s.mode == SinkSlowFailing {
		delay := s.failDelay
		s.failed++
		s.mu.Unlock()
		time.Sleep(delay)
		http.Error(w, "sink overloaded", http.StatusServiceUnavailable)
		return
	}
	defer s.mu.Unlock()
	if s.mode != SinkOnline {
		s.failed++
		http.Error(w, "sink unavailable", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost || strings.TrimRight(r.URL.Path, "/") != "/write" {
		http.Error(w, "POST /write only", http.StatusNotFound)
		return
	}
	metrics, ok := decodeMetrics(body)
	if !ok {
		s.malformed++
		http.Error(w, "want a JSON Metric", http.StatusBadRequest)
		return
	}
	now := time.Now()
	for _, m := range metrics {
		s.deliveries = append(s.deliveries, Delivery{ID: m.id, At: now, Device: m.device})
	}
	w.WriteHeader(http.StatusNoContent)
}

type decoded struct {
	id     int
	device string
}

// decodeMetrics reads one Metric object (or, leniently, an array of them) and
// finds the scrape id in its OwnConsumedPower field.
func decodeMetrics(body []byte) ([]decoded, bool) {
	var one map[string]any
	if err := json.Unmarshal(body, &one); err == nil {
		return []decoded{decodeOne(one)}, true
	}
	var many []map[string]any
	if err := json.Unmarshal(body, &many); err != nil || len(many) == 0 {
		return nil, false
	}
	out := make([]decoded, 0, len(many))
	for _, m := range many {
		out = append(out, decodeOne(m))
	}
	return out, true
}

func decodeOne(m map[string]any) decoded {
	var d decoded
	for k, v := range m {
		key := strings.ToLower(strings.ReplaceAll(k, "_", ""))
		switch {
		case key == "devicename" || key == "device":
			d.device, _ = v.(string)
		case key == "fields" || key == "values":
			fields, _ := v.(map[string]any)
			for name, value := range fields {
				f, isNum := value.(float64)
				if isNum && strings.Contains(strings.ToLower(name), "ownconsumed") && f >= 1 && f == math.Trunc(f) {
					d.id = int(f)
				}
			}
		}
	}
	return d
}

// Deliveries is a copy of everything the sink accepted so far.
func (s *Sink) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Counts is how many writes were rejected as malformed and answered while offline.
func (s *Sink) Counts() (malformed, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.malformed, s.failed
}
