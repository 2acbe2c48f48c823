// Command scraper polls a Kostal solar inverter and forwards each reading to a
// metrics sink over HTTP.
//
// Every interval it fetches http://<inverter-host>/measurements.xml, turns the
// measurements into one Metric and POSTs it as JSON to <sink-url>/write. A
// metric that cannot be written is logged as lost and dropped.
package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

// Metric is one timestamped reading of a device, as the sink stores it.
type Metric struct {
	Timestamp  time.Time          `json:"timestamp"`
	DeviceName string             `json:"device_name"`
	Fields     map[string]float64 `json:"fields"`
}

// MetricSink stores or forwards metrics.
type MetricSink interface {
	Write(m Metric) error
}

// MetricScraper reads the current measurements from a device.
type MetricScraper interface {
	Scrape() (*InverterData, error)
}

// InverterData mirrors the XML document served by the inverter:
// root/Device[@Name]/Measurements/Measurement[@Value,@Unit,@Type].
type InverterData struct {
	XMLName xml.Name `xml:"root"`
	Device  Device   `xml:"Device"`
}

// Device is the inverter itself and its list of measurements.
type Device struct {
	Name         string        `xml:"Name,attr"`
	Type         string        `xml:"Type,attr"`
	Serial       string        `xml:"Serial,attr"`
	Measurements []Measurement `xml:"Measurements>Measurement"`
}

// Measurement is one value reported by the inverter.
type Measurement struct {
	Value float64 `xml:"Value,attr"`
	Unit  string  `xml:"Unit,attr"`
	Type  string  `xml:"Type,attr"`
}

// HTTPScraper reads measurements.xml from an inverter on the network.
type HTTPScraper struct {
	URL    string
	client *http.Client
}

// NewHTTPScraper returns a scraper for the inverter at host (a name or host:port).
func NewHTTPScraper(host string) *HTTPScraper {
	return &HTTPScraper{
		URL:    "http://" + host + "/measurements.xml",
		client: &http.Client{Timeout: 5 * time.Second},
	}
}

// Scrape fetches and parses one measurements document.
func (s *HTTPScraper) Scrape() (*InverterData, error) {
	resp, err := s.client.Get(s.URL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("inverter answered HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var data InverterData
	if err := xml.Unmarshal(body, &data); err != nil {
		return nil, fmt.Errorf("parse measurements: %w", err)
	}
	return &data, nil
}

// HTTPSink posts metrics as JSON to <base URL>/write.
type HTTPSink struct {
	URL    string
	client *http.Client
}

// NewHTTPSink returns a sink that writes to baseURL.
func NewHTTPSink(baseURL string) *HTTPSink {
	return &HTTPSink{
		URL:    strings.TrimRight(baseURL, "/"),
		client: &http.Client{Timeout: 5 * time.Second},
	}
}

// Write sends one metric; any transport error or non-2xx answer is an error.
func (s *HTTPSink) Write(m Metric) error {
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode metric: %w", err)
	}
	resp, err := s.client.Post(s.URL+"/write", "application/json", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sink answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// power holds the three power flows the inverter reports, in watts.
type power struct {
	own, gridConsumed, gridInjected float64
}

// powerOf picks the power flows out of a measurements document.
func powerOf(data *InverterData) power {
	var p power
	for _, m := range data.Device.Measurements {
		switch m.Type {
		case "OwnConsumedPower":
			p.own = m.Value
		case "GridConsumedPower":
			p.gridConsumed = m.Value
		case "GridInjectedPower":
			p.gridInjected = m.Value
		}
	}
	return p
}

// check rejects readings that cannot be real: negative flows, or the grid
// both consuming and injecting at once.
func (p power) check() error {
	if p.own < 0 || p.gridConsumed < 0 || p.gridInjected < 0 {
		return errors.New("negative power value")
	}
	if p.gridConsumed > 0 && p.gridInjected > 0 {
		return errors.New("grid both consuming and injecting")
	}
	return nil
}

// household is the power the house uses: own production plus what it draws from the grid.
func (p power) household() float64 {
	return p.own + p.gridConsumed
}

// toMetric turns one measurements document into a Metric stamped now.
func toMetric(data *InverterData) Metric {
	m := Metric{
		Timestamp:  time.Now().UTC(),
		DeviceName: data.Device.Name,
		Fields:     make(map[string]float64, len(data.Device.Measurements)+1),
	}
	for _, meas := range data.Device.Measurements {
		m.Fields[meas.Type+"_"+meas.Unit] = meas.Value
	}
	p := powerOf(data)
	if err := p.check(); err != nil {
		log.Printf("skipping household power: %v", err)
	} else {
		m.Fields["HouseholdPower_W"] = p.household()
	}
	return m
}

// run scrapes every interval and writes each reading to the sink, forever.
func run(scraper MetricScraper, sink MetricSink, interval time.Duration) {
	for {
		data, err := scraper.Scrape()
		if err != nil {
			log.Printf("scrape failed: %v", err)
		} else if err := sink.Write(toMetric(data)); err != nil {
			log.Printf("metric lost: %v", err)
		}
		time.Sleep(interval)
	}
}

func main() {
	inverterHost := flag.String("inverter-host", "192.168.0.11", "inverter host name or IP, optionally with :port")
	sinkURL := flag.String("sink-url", "http://localhost:8086", "base URL of the metrics sink")
	interval := flag.Duration("interval", 5*time.Second, "time between scrapes (e.g. 5s, 100ms)")
	flag.Parse()
	if *interval <= 0 {
		fmt.Fprintln(os.Stderr, "-interval must be positive")
		os.Exit(2)
	}

	scraper := NewHTTPScraper(*inverterHost)
	sink := NewHTTPSink(*sinkURL)
	log.Printf("scraping %s every %s, writing to %s/write", scraper.URL, *interval, sink.URL)
	run(scraper, sink, *interval)
}
