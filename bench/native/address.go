// Kaspa payout addresses for simulated miners: the cashaddr-style text form with its 40-bit
// checksum, the same deterministic addresses as scripts/loadgen/options.ts payoutAddresses.

package main

import (
	"encoding/binary"
	"strings"
)

const addressCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var addressGenerators = [5]uint64{0x98f2bc8e61, 0x79b76d99e2, 0xf33e5fb3c4, 0xae2eabe2a8, 0x1e4f43e470}

func polymod(values []byte) uint64 {
	c := uint64(1)
	for _, d := range values {
		c0 := c >> 35
		c = ((c & 0x07ffffffff) << 5) ^ uint64(d)
		for i := 0; i < 5; i++ {
			if (c0>>i)&1 == 1 {
				c ^= addressGenerators[i]
			}
		}
	}
	return c ^ 1
}

func to5(data []byte) []byte {
	var out []byte
	acc, bits := 0, 0
	for _, b := range data {
		acc = acc<<8 | int(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, byte(acc>>bits&31))
		}
		acc &= 1<<bits - 1
	}
	if bits > 0 {
		out = append(out, byte(acc<<(5-bits)&31))
	}
	return out
}

// encodeAddress is the text form of a version-0 (Schnorr) address with a 32-byte payload.
func encodeAddress(prefix string, payload [32]byte) string {
	body := append([]byte{0}, payload[:]...)
	payload5 := to5(body)
	values := make([]byte, 0, len(prefix)+1+len(payload5)+8)
	for i := 0; i < len(prefix); i++ {
		values = append(values, prefix[i]&0x1f)
	}
	values = append(values, 0)
	values = append(values, payload5...)
	values = append(values, 0, 0, 0, 0, 0, 0, 0, 0)
	sum := polymod(values)
	var sumBytes [5]byte
	for i := 0; i < 5; i++ {
		sumBytes[i] = byte(sum >> (8 * (4 - i)))
	}
	var sb strings.Builder
	sb.WriteString(prefix)
	sb.WriteByte(':')
	for _, v := range append(payload5, to5(sumBytes[:])...) {
		sb.WriteByte(addressCharset[v])
	}
	return sb.String()
}

// payoutAddresses returns count distinct valid addresses: payload "KSLG", zeros, then i+1.
func payoutAddresses(count int, prefix string) []string {
	out := make([]string, count)
	for i := range out {
		var payload [32]byte
		binary.BigEndian.PutUint32(payload[0:], 0x4b534c47)
		binary.BigEndian.PutUint32(payload[28:], uint32(i+1))
		out[i] = encodeAddress(prefix, payload)
	}
	return out
}
