// One simulated miner of the native load generator: a TCP connection speaking one dialect, its
// handshake, job receipts (template timestamp and arrival time) and share submits with timing.

package main

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

type phase int

const (
	connecting phase = iota
	subscribing
	authorizing
	ready
	closed
)

const (
	subscribeID = 1
	authorizeID = 2
	firstSubmit = 10
	maxCarry    = 1 << 20
	maxReceipts = 100_000
)

// events is what a miner reports to its run.
type events interface {
	// settled: the handshake ended, authorized or not (called once per miner).
	settled(m *miner, ok bool)
	// job: a notify arrived.
	job(m *miner)
	// reply: a submit was answered after latency; code is the error code (0 when accepted).
	reply(latency time.Duration, accepted bool, code int)
	// closed: the connection ended.
	closed(m *miner, reason string, wasReady bool)
}

type miner struct {
	index   int
	dialect dialect
	address string
	worker  string
	ev      events

	mu        sync.Mutex
	conn      net.Conn
	phase     phase
	reason    string
	jobKey    string
	prefixHex string
	workerID  string
	nextID    int64
	counter   uint64
	pending   map[int64]time.Time
	receipts  []receipt
	jobs      int
	lastJobAt float64
}

func newMiner(index int, d dialect, address, worker string, ev events, start uint64) *miner {
	return &miner{
		index: index, dialect: d, address: address, worker: worker, ev: ev,
		workerID: "0", nextID: firstSubmit, counter: start, pending: map[int64]time.Time{},
	}
}

func epochMs(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }

// run connects, handshakes and reads until the connection ends.
func (m *miner) run(addr string) {
	conn, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		m.close("connect failed")
		return
	}
	m.mu.Lock()
	if m.phase == closed {
		m.mu.Unlock()
		conn.Close()
		return
	}
	m.conn = conn
	m.phase = subscribing
	m.mu.Unlock()
	m.send(subscribeLine(m.dialect, subscribeID, m.address))
	m.read(conn)
	m.close("server closed")
}

// close ends the connection once; the first reason sticks.
func (m *miner) close(reason string) {
	m.mu.Lock()
	if m.phase == closed {
		m.mu.Unlock()
		return
	}
	was := m.phase
	m.phase = closed
	m.reason = reason
	conn := m.conn
	m.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
	if was != ready {
		m.ev.settled(m, false)
	}
	m.ev.closed(m, reason, was == ready)
}

func (m *miner) send(line string) {
	m.mu.Lock()
	conn := m.conn
	open := m.phase != closed
	m.mu.Unlock()
	if conn == nil || !open {
		return
	}
	if _, err := conn.Write([]byte(line)); err != nil {
		m.close("write failed")
	}
}

func (m *miner) read(conn net.Conn) {
	buf := make([]byte, 4096)
	var carry []byte
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			at := time.Now()
			data := buf[:n]
			if len(carry) > 0 {
				carry = append(carry, data...)
				data = carry
			}
			start := 0
			for i := 0; i < len(data); i++ {
				if data[i] == '\n' {
					if i > start {
						m.handle(data[start:i], at)
					}
					start = i + 1
				}
			}
			rest := data[start:]
			if len(rest) > maxCarry {
				m.close("server line too long")
				return
			}
			carry = append(carry[:0:0], rest...)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				m.close("read failed")
			}
			return
		}
	}
}

func (m *miner) handle(line []byte, at time.Time) {
	msg, ok := parseMessage(line)
	if !ok {
		return
	}
	if msg.method != nil {
		switch str(msg.method) {
		case "mining.notify", "notify":
			key, ts, ok := notifyJob(msg.params)
			if !ok {
				return
			}
			m.mu.Lock()
			m.jobKey = key
			m.jobs++
			m.lastJobAt = epochMs(at)
			if len(m.receipts) < maxReceipts {
				m.receipts = append(m.receipts, receipt{float64(ts), m.lastJobAt})
			}
			m.mu.Unlock()
			m.ev.job(m)
		case "mining.set_extranonce":
			if len(msg.params) > 0 && isHexPrefix(str(msg.params[0])) {
				m.mu.Lock()
				m.prefixHex = str(msg.params[0])
				m.mu.Unlock()
			}
		}
		return
	}
	id, err := strconv.ParseInt(string(msg.id), 10, 64)
	if err != nil {
		return
	}
	m.onReply(id, msg, at)
}

func (m *miner) onReply(id int64, msg message, at time.Time) {
	refused := !isNull(msg.err) || string(msg.result) == "false"
	m.mu.Lock()
	ph := m.phase
	switch {
	case id == subscribeID && ph == subscribing:
		if refused {
			m.mu.Unlock()
			m.close("subscribe refused")
			return
		}
		if r := splitArray(msg.result); len(r) >= 2 && r[1][0] == '"' && isHexPrefix(str(r[1])) {
			m.prefixHex = str(r[1]) // C: [null, extranonce, size]
		}
		m.phase = authorizing
		m.mu.Unlock()
		m.send(authorizeLine(m.dialect, authorizeID, m.address, m.worker))
		return
	case id == authorizeID && ph == authorizing:
		if refused || isNull(msg.result) {
			m.mu.Unlock()
			m.close("authorize refused (" + strconv.Itoa(errorCode(msg.err)) + ")")
			return
		}
		if r := splitArray(msg.result); len(r) >= 2 { // D: [workerId, prefixHex, difficulty]
			m.workerID = str(r[0])
			if p := str(r[1]); isHexPrefix(p) {
				m.prefixHex = p
			}
		}
		m.phase = ready
		m.mu.Unlock()
		m.ev.settled(m, true)
		return
	}
	sent, ok := m.pending[id]
	if ok {
		delete(m.pending, id)
	}
	m.mu.Unlock()
	if !ok {
		return
	}
	accepted := isNull(msg.err) && (string(msg.result) == "true" || isNumber(msg.result))
	code := 0
	if !accepted {
		code = errorCode(msg.err)
	}
	m.ev.reply(at.Sub(sent), accepted, code)
}

func isNumber(raw []byte) bool {
	_, err := strconv.ParseFloat(string(raw), 64)
	return err == nil
}

// submit sends one share for the newest job with the next nonce of this miner (no PoW search:
// see loadgen.go); false when the miner has no job yet.
func (m *miner) submit() bool {
	m.mu.Lock()
	if m.phase != ready || m.jobKey == "" {
		m.mu.Unlock()
		return false
	}
	bits := uint(len(m.prefixHex) * 4)
	var high uint64
	if bits > 0 {
		p, _ := strconv.ParseUint(m.prefixHex, 16, 64)
		high = p << (64 - bits)
	}
	mask := ^uint64(0)
	if bits > 0 {
		mask = 1<<(64-bits) - 1
	}
	nonce := high | (m.counter & mask)
	m.counter++
	id := m.nextID
	m.nextID++
	worker := m.address + "." + m.worker
	if m.dialect == 'D' {
		worker = m.workerID
	}
	line := submitLine(m.dialect, id, worker, m.jobKey, nonce, m.prefixHex)
	m.pending[id] = time.Now()
	m.mu.Unlock()
	m.send(line)
	return true
}

// sweep forgets submits older than timeout and returns how many it forgot.
func (m *miner) sweep(timeout time.Duration) int {
	cutoff := time.Now().Add(-timeout)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, at := range m.pending {
		if at.Before(cutoff) || timeout == 0 {
			delete(m.pending, id)
			n++
		}
	}
	return n
}

func (m *miner) pendingCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pending)
}
