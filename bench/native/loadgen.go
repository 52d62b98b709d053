// The native load generator: the command-line surface of scripts/loadgen.ts (same flags, same
// progress lines, the same LoadSummary JSON), with goroutines on Go's netpoller instead of Deno.
//
// Shares are not searched: every submit carries the miner's next nonce unchecked (the Deno
// generator's --share-kind any). Against a server whose share difficulty is 2^-32 (bench/scale's
// share server) every such nonce is a valid share that the server still hashes and checks.

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// loadOptions is scripts/loadgen/options.ts LoadOptions, as the summary reports it.
type loadOptions struct {
	Host               string             `json:"host"`
	Port               int                `json:"port"`
	Miners             int                `json:"miners"`
	Mix                map[string]float64 `json:"mix"`
	Addresses          int                `json:"addresses"`
	Prefix             string             `json:"prefix"`
	RampPerSec         float64            `json:"rampPerSec"`
	ConnectConcurrency int                `json:"connectConcurrency"`
	HoldMs             float64            `json:"holdMs"`
	WarmupMs           float64            `json:"warmupMs"`
	ShareRate          float64            `json:"shareRate"`
	ShareKind          string             `json:"shareKind"`
	NetworkBits        int64              `json:"networkBits"`
	MaxTries           int                `json:"maxTries"`
	ReplyTimeoutMs     float64            `json:"replyTimeoutMs"`
	MaxRunMs           float64            `json:"maxRunMs"`
	WorkerPrefix       string             `json:"workerPrefix"`
	Instrument         string             `json:"instrument"`
}

type optionsError string

func (e optionsError) Error() string { return string(e) }

// isLoopback: both tools talk to 127.0.0.0/8, ::1 or localhost only.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dialectIDs are kstratum's dialect ids (lib/dialects DIALECT_IDS) in plan order, each with the
// stratum.md letter this tool tags a dialect with inside.
var dialectIDs = []struct {
	id  string
	tag dialect
}{{"array", 'A'}, {"bighex", 'B'}, {"bitmain", 'C'}, {"simple", 'D'}}

// id is kstratum's id of d ("array", ...).
func (d dialect) id() string {
	for _, x := range dialectIDs {
		if x.tag == d {
			return x.id
		}
	}
	return string(d)
}

func parseMix(text string) (map[string]float64, error) {
	mix := map[string]float64{}
	names := []string{}
	for _, x := range dialectIDs {
		mix[x.id] = 0
		names = append(names, x.id)
	}
	total := 0.0
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, weight, found := strings.Cut(part, ":")
		id := strings.ToLower(name)
		if _, ok := mix[id]; !ok {
			return nil, optionsError(fmt.Sprintf("unknown dialect %q in --mix (use %s)", name, strings.Join(names, ", ")))
		}
		w := 1.0
		if found {
			v, err := strconv.ParseFloat(weight, 64)
			if err != nil || v < 0 || math.IsInf(v, 0) {
				return nil, optionsError("bad weight in --mix: " + part)
			}
			w = v
		}
		mix[id] += w
		total += w
	}
	if total <= 0 {
		return nil, optionsError("--mix has no weight")
	}
	return mix, nil
}

// dialectPlan is options.ts dialectPlan: smooth weighted round-robin over the dialects in order.
func dialectPlan(count int, mix map[string]float64) []dialect {
	total := 0.0
	for _, x := range dialectIDs {
		total += mix[x.id]
	}
	credit := map[string]float64{}
	plan := make([]dialect, count)
	for i := range plan {
		best := dialectIDs[0]
		for _, x := range dialectIDs {
			credit[x.id] += mix[x.id]
			if credit[x.id] > credit[best.id] || mix[best.id] == 0 {
				best = x
			}
		}
		credit[best.id] -= total
		plan[i] = best.tag
	}
	return plan
}

func parseLoadFlags(args []string) (loadOptions, string, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	o := loadOptions{ConnectConcurrency: 256, MaxTries: 256, WorkerPrefix: "lg", Instrument: "native"}
	fs.StringVar(&o.Host, "host", "127.0.0.1", "server host (loopback only)")
	fs.IntVar(&o.Port, "port", 5555, "server port")
	fs.IntVar(&o.Miners, "miners", 10, "simulated miners (connections), 1-50000")
	mix := fs.String("mix", "array:1,bighex:1,bitmain:1,simple:1", "dialect weights")
	fs.IntVar(&o.Addresses, "addresses", 1, "distinct payout addresses, round-robin")
	fs.StringVar(&o.Prefix, "prefix", "kaspadev", "address prefix: kaspa, kaspatest, kaspasim, kaspadev")
	fs.Float64Var(&o.RampPerSec, "ramp", 1000, "new connections per second")
	hold := fs.Float64("hold-s", 10, "measured window after the ramp, s")
	warm := fs.Float64("warmup-s", 0, "start of the window left out of job statistics, s")
	fs.Float64Var(&o.ShareRate, "share-rate", 0, "shares per second across all miners (0: idle)")
	fs.StringVar(&o.ShareKind, "share-kind", "any", "only 'any': nonces are sent unchecked")
	bits := fs.String("network-bits", "0x1e21bc1c", "accepted for compatibility; unused (no PoW search)")
	timeout := fs.Float64("reply-timeout-ms", 5000, "a submit unanswered this long times out, ms")
	maxRun := fs.Float64("max-run-s", 300, "hard stop for the whole run, s")
	out := fs.String("out", "", "write the summary here instead of stdout")
	if err := fs.Parse(args); err != nil {
		return o, "", optionsError(err.Error())
	}
	var err error
	if o.Mix, err = parseMix(*mix); err != nil {
		return o, "", err
	}
	o.HoldMs, o.WarmupMs = *hold*1000, *warm*1000
	o.ReplyTimeoutMs, o.MaxRunMs = *timeout, *maxRun*1000
	o.NetworkBits, _ = strconv.ParseInt(strings.TrimPrefix(*bits, "0x"), 16, 64)
	switch {
	case !isLoopback(o.Host):
		return o, "", optionsError("the load generator targets loopback only, not " + o.Host)
	case o.Miners < 1 || o.Miners > 50_000:
		return o, "", optionsError("--miners must be 1-50000")
	case o.Addresses < 1 || o.Addresses > o.Miners:
		return o, "", optionsError("--addresses must be 1..miners")
	case o.ShareKind != "any":
		return o, "", optionsError("--share-kind: the native load generator sends unchecked nonces only (any); use scripts/loadgen.ts for valid or block shares")
	case !(o.RampPerSec >= 1) || o.HoldMs < 0 || o.WarmupMs < 0 || o.ShareRate < 0 || o.ReplyTimeoutMs <= 0:
		return o, "", optionsError("--ramp, --hold-s, --warmup-s, --share-rate, --reply-timeout-ms must be positive")
	case !(o.MaxRunMs > 0 && o.MaxRunMs <= 3_600_000):
		return o, "", optionsError("--max-run-s must be in (0, 3600]")
	case o.HoldMs+float64(o.Miners)/o.RampPerSec*1000 > o.MaxRunMs:
		return o, "", optionsError("ramp + hold exceed --max-run-s")
	case !map[string]bool{"kaspa": true, "kaspatest": true, "kaspasim": true, "kaspadev": true}[o.Prefix]:
		return o, "", optionsError("--prefix must be kaspa, kaspatest, kaspasim or kaspadev")
	}
	return o, *out, nil
}

// run is one load: its miners and what they report, shared by every miner goroutine.
type run struct {
	handshaking atomic.Int64
	settledWG   sync.WaitGroup
	readyCount  atomic.Int64
	received    atomic.Int64
	inWindow    atomic.Int64
	open        atomic.Bool

	mu        sync.Mutex
	reasons   map[string]int
	dropped   int
	accepted  int
	rejected  map[string]int
	latencies []float64
}

func (r *run) settled(_ *miner, ok bool) {
	if ok {
		r.readyCount.Add(1)
	}
	r.handshaking.Add(-1)
	r.settledWG.Done()
}

func (r *run) job(_ *miner) {
	r.received.Add(1)
	if r.open.Load() {
		r.inWindow.Add(1)
	}
}

func (r *run) reply(latency time.Duration, accepted bool, code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.latencies) < 5_000_000 {
		r.latencies = append(r.latencies, float64(latency.Nanoseconds())/1e6)
	}
	if accepted {
		r.accepted++
	} else {
		r.rejected[strconv.Itoa(code)]++
	}
}

func (r *run) closed(_ *miner, reason string, wasReady bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons[reason]++
	if wasReady && reason != "done" && reason != "deadline" {
		r.dropped++
	}
}

func progress(event map[string]any) {
	b, _ := json.Marshal(event)
	fmt.Fprintln(os.Stderr, string(b))
}

func runLoadgen(args []string) int {
	o, out, err := parseLoadFlags(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: "+err.Error())
		return 2
	}
	s := load(o)
	text, err := json.Marshal(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: "+err.Error())
		return 1
	}
	if out == "" {
		fmt.Println(string(text))
	} else if err := os.WriteFile(out, text, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: "+err.Error())
		return 1
	}
	if s.Miners.Ready == 0 {
		return 1
	}
	return 0
}

func sleepUntil(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}

// load runs o: ramp, hold (with shares), drain, close, summarize. Never runs past o.MaxRunMs.
func load(o loadOptions) loadSummary {
	started := time.Now()
	deadline := started.Add(time.Duration(o.MaxRunMs) * time.Millisecond)
	addresses := payoutAddresses(o.Addresses, o.Prefix)
	plan := dialectPlan(o.Miners, o.Mix)
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	r := &run{reasons: map[string]int{}, rejected: map[string]int{}}
	byDialect := map[string]int{}
	for _, x := range dialectIDs {
		byDialect[x.id] = 0
	}
	miners := make([]*miner, 0, o.Miners)
	var minersMu sync.Mutex // the hard stop reads miners while the ramp appends
	var runs sync.WaitGroup
	hardStop := time.AfterFunc(time.Until(deadline), func() {
		minersMu.Lock()
		started := miners
		minersMu.Unlock()
		for _, m := range started {
			m.close("deadline")
		}
	})
	defer hardStop.Stop()

	// Ramp.
	rampStart := time.Now()
	for i := 0; i < o.Miners && time.Now().Before(deadline); i++ {
		sleepUntil(rampStart.Add(time.Duration(float64(i) * 1e9 / o.RampPerSec)))
		for r.handshaking.Load() >= int64(o.ConnectConcurrency) && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		d := plan[i]
		byDialect[d.id()]++
		m := newMiner(i, d, addresses[i%len(addresses)], o.WorkerPrefix+strconv.Itoa(i), r, rand.Uint64()&(1<<40-1))
		minersMu.Lock()
		miners = append(miners, m)
		minersMu.Unlock()
		r.handshaking.Add(1)
		r.settledWG.Add(1)
		runs.Add(1)
		go func() {
			defer runs.Done()
			m.run(addr)
		}()
	}
	allSettled := make(chan struct{})
	go func() {
		r.settledWG.Wait()
		close(allSettled)
	}()
	select {
	case <-allSettled:
	case <-time.After(time.Until(deadline)):
	}
	readyAt := time.Now()
	readyN := int(r.readyCount.Load())
	progress(map[string]any{"phase": "ready", "ready": readyN, "failed": o.Miners - readyN, "rampMs": epochMs(readyAt) - epochMs(rampStart)})

	// Hold: the measured window, with shares when asked.
	windowStart := time.Now()
	r.open.Store(true)
	holdEnd := windowStart.Add(time.Duration(o.HoldMs) * time.Millisecond)
	if holdEnd.After(deadline) {
		holdEnd = deadline
	}
	var live []*miner
	for _, m := range miners {
		m.mu.Lock()
		if m.phase == ready {
			live = append(live, m)
		}
		m.mu.Unlock()
	}
	asked, sent, notSent, timedOut, cursor := 0, 0, 0, 0, 0
	lastSweep := windowStart
	timeout := time.Duration(o.ReplyTimeoutMs) * time.Millisecond
	for time.Now().Before(holdEnd) {
		if o.ShareRate > 0 && len(live) > 0 {
			due := int(math.Floor(o.ShareRate*time.Since(windowStart).Seconds())) - asked
			burst := min(due, int(math.Ceil(o.ShareRate/10)))
			notSent += due - burst // the generator fell behind: counted, never made up later
			asked += due
			for k := 0; k < burst; k++ {
				ok := false
				for tries := 0; tries < len(live) && !ok; tries++ {
					ok = live[cursor%len(live)].submit()
					cursor++
				}
				if ok {
					sent++
				} else {
					notSent++
				}
			}
		}
		if time.Since(lastSweep) > time.Second {
			lastSweep = time.Now()
			for _, m := range live {
				timedOut += m.sweep(timeout)
			}
		}
		if o.ShareRate > 0 {
			time.Sleep(5 * time.Millisecond)
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	windowEnd := time.Now()
	r.open.Store(false)
	r.mu.Lock()
	progress(map[string]any{"phase": "held", "sent": sent, "accepted": r.accepted})
	r.mu.Unlock()

	// Drain: wait (bounded) for the last replies, then close everything.
	drainEnd := time.Now().Add(min(timeout, 5*time.Second))
	if drainEnd.After(deadline) {
		drainEnd = deadline
	}
	for time.Now().Before(drainEnd) && anyPending(live) {
		time.Sleep(20 * time.Millisecond)
	}
	for _, m := range live {
		timedOut += m.sweep(0)
	}
	for _, m := range miners {
		m.close("done")
	}
	finished := make(chan struct{})
	go func() {
		runs.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
	}
	return summarizeRun(o, r, runSpan{miners, live, byDialect, readyN, rampStart, readyAt, windowStart, windowEnd, asked, sent, notSent, timedOut})
}

func anyPending(live []*miner) bool {
	for _, m := range live {
		if m.pendingCount() > 0 {
			return true
		}
	}
	return false
}

// runSpan is what load hands to summarizeRun.
type runSpan struct {
	miners, live                               []*miner
	byDialect                                  map[string]int
	ready                                      int
	rampStart, readyAt, windowStart, windowEnd time.Time
	asked, sent, notSent, timedOut             int
}

type dialectJobs struct {
	Miners         int     `json:"miners"`
	PerMinerPerSec float64 `json:"perMinerPerSec"`
	Starved        int     `json:"starved"`
}

// loadSummary is scripts/loadgen/run.ts LoadSummary.
type loadSummary struct {
	Options loadOptions `json:"options"`
	Miners  struct {
		Asked             int            `json:"asked"`
		Ready             int            `json:"ready"`
		Failed            int            `json:"failed"`
		ByDialect         map[string]int `json:"byDialect"`
		DroppedWhileReady int            `json:"droppedWhileReady"`
		Reasons           map[string]int `json:"reasons"`
	} `json:"miners"`
	Ramp struct {
		StartAt float64 `json:"startAt"`
		ReadyAt float64 `json:"readyAt"`
		Ms      float64 `json:"ms"`
	} `json:"ramp"`
	Window struct {
		StartAt float64 `json:"startAt"`
		EndAt   float64 `json:"endAt"`
	} `json:"window"`
	Jobs struct {
		Received       int64                   `json:"received"`
		PerMinerPerSec float64                 `json:"perMinerPerSec"`
		Templates      []templateReach         `json:"templates"`
		ReachMs        summary                 `json:"reachMs"`
		ByDialect      map[string]*dialectJobs `json:"byDialect"`
	} `json:"jobs"`
	Shares struct {
		Asked          int            `json:"asked"`
		Sent           int            `json:"sent"`
		Accepted       int            `json:"accepted"`
		Rejected       map[string]int `json:"rejected"`
		TimedOut       int            `json:"timedOut"`
		NotSent        int            `json:"notSent"`
		Hashes         int            `json:"hashes"`
		SentPerSec     float64        `json:"sentPerSec"`
		AcceptedPerSec float64        `json:"acceptedPerSec"`
		LatencyMs      summary        `json:"latencyMs"`
	} `json:"shares"`
}

func summarizeRun(o loadOptions, r *run, s runSpan) loadSummary {
	var out loadSummary
	out.Options = o
	r.mu.Lock()
	defer r.mu.Unlock()
	out.Miners.Asked, out.Miners.Ready, out.Miners.Failed = o.Miners, s.ready, o.Miners-s.ready
	out.Miners.ByDialect, out.Miners.DroppedWhileReady, out.Miners.Reasons = s.byDialect, r.dropped, r.reasons
	out.Ramp.StartAt, out.Ramp.ReadyAt = epochMs(s.rampStart), epochMs(s.readyAt)
	out.Ramp.Ms = out.Ramp.ReadyAt - out.Ramp.StartAt
	wStart, wEnd := epochMs(s.windowStart), epochMs(s.windowEnd)
	out.Window.StartAt, out.Window.EndAt = wStart, wEnd
	holdS := (wEnd - wStart) / 1000

	var logs [][]receipt
	for _, m := range s.miners {
		m.mu.Lock()
		if m.reason == "done" || m.reason == "deadline" {
			logs = append(logs, m.receipts)
		}
		m.mu.Unlock()
	}
	out.Jobs.Received = r.received.Load()
	if s.ready > 0 && holdS > 0 {
		out.Jobs.PerMinerPerSec = float64(r.inWindow.Load()) / float64(s.ready) / holdS
	}
	out.Jobs.Templates, out.Jobs.ReachMs = reach(logs, math.Min(wStart+o.WarmupMs, wEnd), wEnd)
	out.Jobs.ByDialect = map[string]*dialectJobs{}
	span := math.Max(1, (wEnd-epochMs(s.rampStart))/1000)
	for _, m := range s.live {
		m.mu.Lock()
		d := out.Jobs.ByDialect[m.dialect.id()]
		if d == nil {
			d = &dialectJobs{}
			out.Jobs.ByDialect[m.dialect.id()] = d
		}
		d.Miners++
		d.PerMinerPerSec += float64(m.jobs)
		if wEnd-m.lastJobAt > 5000 {
			d.Starved++
		}
		m.mu.Unlock()
	}
	for _, d := range out.Jobs.ByDialect {
		d.PerMinerPerSec /= float64(d.Miners) * span
	}

	sh := &out.Shares
	sh.Asked, sh.Sent, sh.Accepted, sh.Rejected = s.asked, s.sent, r.accepted, r.rejected
	sh.TimedOut, sh.NotSent = s.timedOut, s.notSent
	if holdS > 0 {
		sh.SentPerSec = float64(s.sent) / holdS
		sh.AcceptedPerSec = float64(r.accepted) / holdS
	}
	sh.LatencyMs = summarize(r.latencies)
	return out
}
