package main

import (
	"testing"
	"time"
)

const helpDuration = `Usage of scraper:
  -buffer-size int
    	metrics kept while the sink is down (default 1000)
  -flush-interval duration
    	how often to retry (default 10s)
  -interval duration
    	time between scrapes (e.g. 5s, 100ms) (default 5s)
  -inverter-host string
    	inverter host (default "192.168.0.11")
  -sink-url string
    	sink base URL (default "http://localhost:8086")
  -verbose
    	log more
`

func TestDurationIntervalGetsFastIntervalAndRetryFlagIsSet(t *testing.T) {
	cli, err := DetectCLI(ParseFlags(helpDuration), 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if cli.IntervalArg != "50ms" || cli.Interval != 50*time.Millisecond || cli.BufferFlag != "buffer-size" {
		t.Fatalf("got %+v", cli)
	}
	if len(cli.RetryFlags) != 1 || cli.RetryFlags[0] != "flush-interval" || cli.RetryArg[0] != "50ms" {
		t.Fatalf("retry flags %v %v", cli.RetryFlags, cli.RetryArg)
	}
}

func TestIntegerIntervalMeansWholeSecondsAndRenamedBufferFlagIsFound(t *testing.T) {
	help := "  -interval int\n    \tseconds (default 5)\n  -max-buffered-metrics int\n    \tcap\n  -max-retries int\n    \tn\n"
	cli, err := DetectCLI(ParseFlags(help), 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if cli.IntervalArg != "1" || cli.Interval != time.Second {
		t.Fatalf("interval %q %v", cli.IntervalArg, cli.Interval)
	}
	if cli.BufferFlag != "max-buffered-metrics" || len(cli.RetryFlags) != 0 {
		t.Fatalf("buffer %q retry %v", cli.BufferFlag, cli.RetryFlags)
	}
}

func TestMillisecondIntervalGetsMilliseconds(t *testing.T) {
	cli, err := DetectCLI(ParseFlags("  -interval-ms int\n    \tms\n"), 50*time.Millisecond)
	if err != nil || cli.IntervalArg != "50" || cli.Interval != 50*time.Millisecond {
		t.Fatalf("%+v %v", cli, err)
	}
}

func TestMissingIntervalFlagIsAnError(t *testing.T) {
	if _, err := DetectCLI(ParseFlags("  -sink-url string\n    \tx\n"), 50*time.Millisecond); err == nil {
		t.Fatal("want an error")
	}
}

func TestDecodeFindsScrapeIDInOwnConsumedPowerField(t *testing.T) {
	got, ok := decodeMetrics([]byte(`{"timestamp":"2026-01-01T00:00:00Z","device_name":"d","fields":{"OwnConsumedPower_W":17,"TotalPower_W":1517}}`))
	if !ok || len(got) != 1 || got[0].id != 17 || got[0].device != "d" {
		t.Fatalf("%+v %v", got, ok)
	}
	batch, ok := decodeMetrics([]byte(`[{"fields":{"OwnConsumedPower_W":1}},{"fields":{"OwnConsumedPower_W":2}}]`))
	if !ok || len(batch) != 2 || batch[1].id != 2 {
		t.Fatalf("%+v %v", batch, ok)
	}
	if _, ok := decodeMetrics([]byte(`not json`)); ok {
		t.Fatal("want malformed")
	}
}
