// The native broadcast floor: the least a Stratum server can do on this machine. It answers each
// dialect's handshake minimally, then at a fixed rate writes one job line per connection (in that
// connection's dialect) from one loop, one write syscall each; submits are answered unchecked.
//
// The template timestamp in every job is the moment the loop starts, so the load generator's
// template → last miner time is the broadcast's whole cost. With --rate 0 it sends nothing after
// the handshake (the memory of holding connections in Go: one goroutine and a 512-byte buffer).

package main

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const maxBacklog = 1 << 20

// floorConn is one miner connection; send never blocks the broadcast loop.
type floorConn struct {
	conn    *net.TCPConn
	raw     syscall.RawConn
	dialect dialect // set at subscribe, before join; read by the broadcast after join
	joined  bool    // the reader goroutine's own

	mu       sync.Mutex
	backlog  []byte
	flushing bool
	dead     bool
}

// send writes b with one non-blocking write; what the socket does not take waits, in order, for
// a goroutine that finishes it (a slow reader never stalls the loop).
func (c *floorConn) send(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return
	}
	if c.flushing {
		if len(c.backlog)+len(b) > maxBacklog {
			c.kill()
			return
		}
		c.backlog = append(c.backlog, b...)
		return
	}
	var n int
	var werr error
	if err := c.raw.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), b)
		return true
	}); err != nil {
		c.kill()
		return
	}
	if errors.Is(werr, syscall.EAGAIN) {
		n, werr = 0, nil
	}
	if werr != nil {
		c.kill()
		return
	}
	if n < len(b) {
		c.backlog = append(c.backlog[:0], b[n:]...)
		c.flushing = true
		go c.flush()
	}
}

func (c *floorConn) flush() {
	for {
		c.mu.Lock()
		data := c.backlog
		c.backlog = nil
		if len(data) == 0 || c.dead {
			c.flushing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if _, err := c.conn.Write(data); err != nil {
			c.mu.Lock()
			c.kill()
			c.flushing = false
			c.mu.Unlock()
			return
		}
	}
}

// kill closes the connection; c.mu is held.
func (c *floorConn) kill() {
	c.dead = true
	c.conn.Close()
}

// floor is the server: its connections and counters.
type floor struct {
	mu      sync.Mutex
	ready   map[*floorConn]struct{}
	submits atomic.Int64
	events  atomic.Int64
}

func detect(agent string) dialect {
	switch {
	case strings.HasPrefix(agent, "IceRiver") || strings.HasPrefix(agent, "BzMiner"):
		return 'B'
	case strings.HasPrefix(agent, "GodMiner"):
		return 'C'
	default:
		return 'A'
	}
}

// answer is the reply to one request line (empty for none).
func (f *floor) answer(c *floorConn, line []byte) string {
	msg, ok := parseMessage(line)
	if !ok || msg.method == nil {
		return ""
	}
	id := "null"
	if msg.id != nil {
		id = string(msg.id)
	}
	yes := `{"id":` + id + `,"result":true,"error":null}` + "\n"
	switch str(msg.method) {
	case "mining.subscribe":
		agent := ""
		if len(msg.params) > 0 {
			agent = str(msg.params[0])
		}
		if !c.joined {
			c.dialect = detect(agent)
		}
		if c.dialect == 'C' {
			return `{"id":` + id + `,"result":[null,"",8],"error":null}` + "\n"
		}
		return `{"id":` + id + `,"result":[true,"EthereumStratum/1.0.0"],"error":null}` + "\n"
	case "subscribe": // D may subscribe again to change its address
		if !c.joined {
			c.dialect = 'D'
		}
		return yes
	case "mining.authorize":
		f.join(c)
		return yes + `{"id":null,"method":"mining.set_difficulty","params":[1]}` + "\n"
	case "authorize":
		f.join(c)
		return `{"id":` + id + `,"result":[0,"",1],"error":null}` + "\n"
	case "mining.submit", "submit":
		f.submits.Add(1)
		return yes
	default:
		return yes
	}
}

func (f *floor) join(c *floorConn) {
	c.joined = true
	f.mu.Lock()
	f.ready[c] = struct{}{}
	f.mu.Unlock()
}

func (f *floor) serve(conn *net.TCPConn) {
	raw, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		return
	}
	c := &floorConn{conn: conn, raw: raw, dialect: 'A'}
	defer func() {
		f.mu.Lock()
		delete(f.ready, c)
		f.mu.Unlock()
		c.mu.Lock()
		c.kill()
		c.mu.Unlock()
	}()
	buf := make([]byte, 512)
	var carry []byte
	for {
		n, err := conn.Read(buf)
		data := append(carry, buf[:n]...)
		start := 0
		for i := 0; i < len(data); i++ {
			if data[i] == '\n' {
				if reply := f.answer(c, data[start:i]); reply != "" {
					c.send([]byte(reply))
				}
				start = i + 1
			}
		}
		if len(data)-start > maxCarry {
			return
		}
		carry = append(carry[:0:0], data[start:]...)
		if err != nil {
			return
		}
	}
}

// jobLines are one template event's job line in each dialect's form.
func jobLines(job int64, ts int64) map[dialect][]byte {
	var hash [32]byte
	binary.LittleEndian.PutUint64(hash[0:], uint64(job)*0x9e3779b97f4a7c15)
	binary.LittleEndian.PutUint64(hash[8:], uint64(ts))
	var words [4]string
	for i := range words {
		words[i] = strconv.FormatUint(binary.LittleEndian.Uint64(hash[i*8:]), 10)
	}
	var tsLE [8]byte
	binary.LittleEndian.PutUint64(tsLE[:], uint64(ts))
	jobID := strconv.FormatInt(job, 10)
	tsText := strconv.FormatInt(ts, 10)
	array := []byte(`{"id":null,"method":"mining.notify","params":["` + jobID + `",[` + strings.Join(words[:], ",") + `],` + tsText + "]}\n")
	return map[dialect][]byte{
		'A': array,
		'C': array,
		'B': []byte(`{"method":"mining.notify","params":["` + jobID + `","` + hex.EncodeToString(hash[:]) + hex.EncodeToString(tsLE[:]) + `"]}` + "\n"),
		'D': []byte(`{"method":"notify","params":["0","` + hex.EncodeToString(hash[:]) + `","` + tsText + `"]}` + "\n"),
	}
}

// broadcast writes one event's job to every authorized connection, in one loop.
func (f *floor) broadcast() {
	ts := time.Now().UnixMilli()
	job := f.events.Add(1)
	lines := jobLines(job, ts)
	f.mu.Lock()
	conns := make([]*floorConn, 0, len(f.ready))
	for c := range f.ready {
		conns = append(conns, c)
	}
	f.mu.Unlock()
	for _, c := range conns {
		c.send(lines[c.dialect])
	}
}

func runFloor(args []string) int {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	host := fs.String("host", "127.0.0.1", "listen host (loopback only)")
	port := fs.Int("port", 0, "listen port (0: any free port)")
	rate := fs.Float64("rate", 2, "template events per second (0: send nothing after the handshake)")
	duration := fs.Float64("duration-s", 300, "stop after this long, s (at most 3600)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !isLoopback(*host) || *rate < 0 || !(*duration > 0 && *duration <= 3600) {
		fmt.Fprintln(os.Stderr, "floor: --host must be loopback, --rate ≥ 0, --duration-s in (0, 3600]")
		return 2
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.ParseIP(strings.Replace(*host, "localhost", "127.0.0.1", 1)), Port: *port})
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor: "+err.Error())
		return 1
	}
	f := &floor{ready: map[*floorConn]struct{}{}}
	var conns atomic.Int64
	go func() {
		for {
			conn, err := ln.AcceptTCP()
			if err != nil {
				return
			}
			conns.Add(1)
			go f.serve(conn)
		}
	}()
	fmt.Printf("{\"listening\":%d}\n", ln.Addr().(*net.TCPAddr).Port)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	end := time.After(time.Duration(*duration * float64(time.Second)))
	var tick <-chan time.Time
	if *rate > 0 {
		ticker := time.NewTicker(time.Duration(float64(time.Second) / *rate))
		defer ticker.Stop()
		tick = ticker.C
	}
loop:
	for {
		select {
		case <-tick:
			f.broadcast()
		case <-stop:
			break loop
		case <-end:
			break loop
		}
	}
	ln.Close()
	stats, _ := json.Marshal(map[string]int64{"events": f.events.Load(), "submits": f.submits.Load(), "connections": conns.Load()})
	fmt.Println(string(stats))
	return 0
}
