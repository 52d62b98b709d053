// Stratum lines for both tools: a small allocation-light reader of one JSON-RPC line (method, id,
// params, result, error as raw spans) and the miner-side lines of the four dialects (stratum.md §1).

package main

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// message is one JSON-RPC line; every field is the raw JSON text of that member (nil if absent).
type message struct {
	id, method, result, err []byte
	params                  [][]byte
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i], or -1 if malformed.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := skipValue(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && !isSpace(b[j]) {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// splitArray returns the raw elements of the JSON array b, or nil if b is not one.
func splitArray(b []byte) [][]byte {
	if len(b) < 2 || b[0] != '[' {
		return nil
	}
	out := make([][]byte, 0, 4)
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == ']' {
		return out
	}
	for i < len(b) {
		end := skipValue(b, i)
		if end < 0 {
			return nil
		}
		out = append(out, b[i:end])
		i = skipSpace(b, end)
		if i >= len(b) {
			return nil
		}
		if b[i] == ']' {
			return out
		}
		if b[i] != ',' {
			return nil
		}
		i = skipSpace(b, i+1)
	}
	return nil
}

// parseMessage reads the members of one JSON object line; ok is false for anything else.
func parseMessage(line []byte) (m message, ok bool) {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return m, false
	}
	i = skipSpace(line, i+1)
	for i < len(line) && line[i] != '}' {
		keyEnd := skipValue(line, i)
		if keyEnd < 0 || line[i] != '"' {
			return m, false
		}
		key := line[i+1 : keyEnd-1]
		i = skipSpace(line, keyEnd)
		if i >= len(line) || line[i] != ':' {
			return m, false
		}
		i = skipSpace(line, i+1)
		end := skipValue(line, i)
		if end < 0 {
			return m, false
		}
		value := line[i:end]
		switch string(key) {
		case "id":
			m.id = value
		case "method":
			m.method = value
		case "params":
			m.params = splitArray(value)
		case "result":
			m.result = value
		case "error":
			m.err = value
		}
		i = skipSpace(line, end)
		if i < len(line) && line[i] == ',' {
			i = skipSpace(line, i+1)
		}
	}
	return m, i < len(line)
}

// str is the text of a raw JSON string, or the raw text itself for any other value.
func str(raw []byte) string {
	if len(raw) >= 2 && raw[0] == '"' {
		inner := raw[1 : len(raw)-1]
		for _, c := range inner {
			if c == '\\' {
				var s string
				if json.Unmarshal(raw, &s) == nil {
					return s
				}
				break
			}
		}
		return string(inner)
	}
	return string(raw)
}

func isNull(raw []byte) bool { return raw == nil || string(raw) == "null" }

// errorCode is the code of an `error` member: [code, msg...] or {"code": n}; 0 if none.
func errorCode(raw []byte) int {
	if isNull(raw) {
		return 0
	}
	if parts := splitArray(raw); len(parts) > 0 {
		n, _ := strconv.Atoi(string(parts[0]))
		return n
	}
	var obj struct {
		Code int `json:"code"`
	}
	_ = json.Unmarshal(raw, &obj)
	return obj.Code
}

// dialect is one of the four families of stratum.md §1, tagged with its letter there: 'A' (array),
// 'B' (bighex), 'C' (bitmain) or 'D' (simple); dialectIDs gives kstratum's ids.
type dialect byte

// agents are the user agents real miners of each dialect send (what servers detect).
var agents = map[dialect]string{
	'A': "lolMiner 1.88",
	'B': "IceRiverMiner-v1.1",
	'C': "GodMiner/2.0.0",
	'D': "KaspaMiner/1.0.0",
}

func subscribeLine(d dialect, id int, address string) string {
	if d == 'D' {
		return `{"id":` + strconv.Itoa(id) + `,"method":"subscribe","params":[` + strconv.Quote(address) + `,"` + agents[d] + `"]}` + "\n"
	}
	return `{"id":` + strconv.Itoa(id) + `,"method":"mining.subscribe","params":["` + agents[d] + `","EthereumStratum/1.0.0"]}` + "\n"
}

func authorizeLine(d dialect, id int, address, worker string) string {
	if d == 'D' {
		return `{"id":` + strconv.Itoa(id) + `,"method":"authorize","params":[` + strconv.Quote(worker) + `]}` + "\n"
	}
	return `{"id":` + strconv.Itoa(id) + `,"method":"mining.authorize","params":[` + strconv.Quote(address+"."+worker) + `,"x"]}` + "\n"
}

// submitLine: A-C send the nonce as hex without the connection's prefix (the extranonce is the
// nonce's high bytes); D sends the full u64 nonce in decimal and names the job by its hash.
func submitLine(d dialect, id int64, worker, jobKey string, nonce uint64, prefixHex string) string {
	ids := strconv.FormatInt(id, 10)
	if d == 'D' {
		return `{"id":` + ids + `,"method":"submit","params":[` + strconv.Quote(worker) + `,"` + jobKey + `","` + strconv.FormatUint(nonce, 10) + `"]}` + "\n"
	}
	width := 16 - len(prefixHex)
	part := nonce
	if width < 16 {
		part &= 1<<(4*uint(width)) - 1
	}
	h := strconv.FormatUint(part, 16)
	if len(h) < width {
		h = strings.Repeat("0", width-len(h)) + h
	}
	return `{"id":` + ids + `,"method":"mining.submit","params":[` + strconv.Quote(worker) + `,` + strconv.Quote(jobKey) + `,"` + h + `"]}` + "\n"
}

// notifyJob reads a notify's job key and template timestamp (ms) in any dialect's form:
// B one 80-hex string (hash + LE u64 timestamp), A/C four u64 words then the timestamp,
// D the hash hex then the timestamp as a decimal string.
func notifyJob(params [][]byte) (key string, timestamp int64, ok bool) {
	if len(params) < 2 {
		return "", 0, false
	}
	second := params[1]
	if len(second) == 82 && second[0] == '"' { // B
		raw, err := hex.DecodeString(string(second[65:81]))
		if err != nil {
			return "", 0, false
		}
		return str(params[0]), int64(binary.LittleEndian.Uint64(raw)), true
	}
	if len(params) < 3 {
		return "", 0, false
	}
	if second[0] == '[' { // A, C
		ts, err := strconv.ParseInt(string(params[2]), 10, 64)
		return str(params[0]), ts, err == nil
	}
	if len(second) == 66 && second[0] == '"' && params[2][0] == '"' { // D
		ts, err := strconv.ParseInt(str(params[2]), 10, 64)
		return strings.ToLower(str(second)), ts, err == nil
	}
	return "", 0, false
}

// isHexPrefix: a nonce prefix the server may hand out (at most 16 hex digits).
func isHexPrefix(s string) bool {
	if len(s) > 16 {
		return false
	}
	_, err := hex.DecodeString(s + strings.Repeat("0", len(s)%2))
	return err == nil
}
