package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const outputTailBytes = 32 << 10

// Crash markers: a Go panic, a runtime fatal error, a race report.
var crashMarkers = []string{"panic: ", "fatal error: ", "WARNING: DATA RACE"}

// output keeps the tail of a process's combined stdout and stderr and notes
// which crash markers went past, however much it wrote.
type output struct {
	mu    sync.Mutex
	tail  []byte
	carry []byte
	seen  map[string]bool
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	scan := append(append([]byte(nil), o.carry...), p...)
	for _, m := range crashMarkers {
		if bytes.Contains(scan, []byte(m)) {
			if o.seen == nil {
				o.seen = map[string]bool{}
			}
			o.seen[m] = true
		}
	}
	if len(scan) > 32 {
		o.carry = append(o.carry[:0], scan[len(scan)-32:]...)
	} else {
		o.carry = append(o.carry[:0], scan...)
	}
	o.tail = append(o.tail, p...)
	if len(o.tail) > outputTailBytes {
		o.tail = append([]byte(nil), o.tail[len(o.tail)-outputTailBytes:]...)
	}
	return len(p), nil
}

func (o *output) saw(marker string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.seen[marker]
}

// excerpt is the first line of the tail containing marker, or the last line.
func (o *output) excerpt(marker string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(o.tail)), "\n")
	for _, l := range lines {
		if marker != "" && strings.Contains(l, marker) {
			return clip(l, 160)
		}
	}
	return clip(lines[len(lines)-1], 160)
}

// raceSummary names the functions of the first race report, e.g. "main.(*Buffer).Add vs main.flush".
func (o *output) raceSummary() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	text := string(o.tail)
	i := strings.Index(text, "WARNING: DATA RACE")
	if i < 0 {
		return "(report not kept)"
	}
	var funcs []string
	for _, l := range strings.Split(text[i:], "\n")[1:] {
		l = strings.TrimSpace(l)
		if l == "==================" {
			break
		}
		if strings.HasPrefix(l, "main.") && len(funcs) < 4 {
			funcs = append(funcs, strings.SplitN(l, "(0x", 2)[0])
		}
	}
	return clip(strings.Join(funcs, " / "), 240)
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Scraper is one running untrusted scraper process, in its own process group.
type Scraper struct {
	cmd      *exec.Cmd
	out      *output
	done     chan struct{}
	exitedAt atomic.Int64
	state    *os.ProcessState
	// Resident bytes when the memory watch killed it (0: it did not).
	memoryKilled atomic.Int64
	rssLimit     int64
}

var uidCounter atomic.Int64

// StartScraper runs prefix + binary + args; "{uid}" in prefix is replaced by a
// fresh uid so each process has its own process limit. rssLimit > 0 caps the
// resident memory of everything the scraper runs (see watchMemory).
func StartScraper(prefix []string, uidBase int, binary string, args []string, env []string, rssLimit int64) (*Scraper, error) {
	uid := uidBase + int(uidCounter.Add(1))
	ownUID := false
	argv := make([]string, 0, len(prefix)+len(args)+1)
	for _, p := range prefix {
		ownUID = ownUID || strings.Contains(p, "{uid}")
		argv = append(argv, strings.ReplaceAll(p, "{uid}", fmt.Sprint(uid)))
	}
	argv = append(argv, binary)
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	out := &output{}
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	s := &Scraper{cmd: cmd, out: out, done: make(chan struct{}), rssLimit: rssLimit}
	go func() {
		_ = cmd.Wait()
		s.state = cmd.ProcessState
		s.exitedAt.Store(time.Now().UnixNano())
		close(s.done)
	}()
	if rssLimit > 0 {
		member := func(pid int) bool { return processGroup(pid) == cmd.Process.Pid }
		if ownUID { // its own uid also catches children that left the process group
			member = func(pid int) bool { return processUID(pid) == uid }
		}
		go s.watchMemory(member)
	}
	return s, nil
}

// memoryPoll is how often watchMemory looks; an allocation burst can overshoot
// the limit by what it touches in that time.
const memoryPoll = 50 * time.Millisecond

// watchMemory is the memory cap of -race binaries, which run without an
// address-space limit (TSAN maps terabytes of shadow memory): once the resident
// memory of the scraper's processes passes the limit, it SIGKILLs them all.
func (s *Scraper) watchMemory(member func(pid int) bool) {
	tick := time.NewTicker(memoryPoll)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-tick.C:
		}
		var pids []int
		var resident int64
		for _, pid := range processIDs() {
			if member(pid) {
				pids = append(pids, pid)
				resident += residentBytes(pid)
			}
		}
		if resident > s.rssLimit {
			s.memoryKilled.Store(resident)
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			for _, pid := range pids {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			return
		}
	}
}

func processIDs() []int {
	entries, _ := os.ReadDir("/proc")
	pids := make([]int, 0, len(entries))
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processGroup is field 5 of /proc/PID/stat (-1 when unreadable).
func processGroup(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(fields) < 3 {
		return -1
	}
	pgrp, _ := strconv.Atoi(fields[2])
	return pgrp
}

// processUID is the owner of /proc/PID, the process's effective uid (-1 when gone).
func processUID(pid int) int {
	info, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	if err != nil {
		return -1
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// residentBytes is the second field of /proc/PID/statm, in bytes (0 when gone).
func residentBytes(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// Exited reports whether the process has ended.
func (s *Scraper) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Signal sends sig to the scraper itself.
func (s *Scraper) Signal(sig syscall.Signal) {
	_ = s.cmd.Process.Signal(sig)
}

// WaitExit waits up to timeout for the process to end.
func (s *Scraper) WaitExit(timeout time.Duration) bool {
	select {
	case <-s.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Kill ends the whole process group and waits for it.
func (s *Scraper) Kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	s.WaitExit(10 * time.Second)
}

// Crashed names a panic or fatal runtime error in the output, or "".
func (s *Scraper) Crashed() string {
	if resident := s.memoryKilled.Load(); resident > 0 {
		return fmt.Sprintf("killed: resident memory %d MiB over the %d MiB limit", resident>>20, s.rssLimit>>20)
	}
	for _, m := range []string{"panic: ", "fatal error: "} {
		if s.out.saw(m) {
			return s.out.excerpt(m)
		}
	}
	return ""
}

// ExitDescription says how the process ended: "exit code N" or "killed by signal S".
func (s *Scraper) ExitDescription() string {
	if !s.Exited() || s.state == nil {
		return "still running"
	}
	if ws, ok := s.state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "killed by signal " + ws.Signal().String()
	}
	return fmt.Sprintf("exit code %d", s.state.ExitCode())
}

// ExitCode is the exit status, or -1 when it died by a signal or still runs.
func (s *Scraper) ExitCode() int {
	if !s.Exited() || s.state == nil {
		return -1
	}
	return s.state.ExitCode()
}

var errExited = errors.New("scraper exited")
