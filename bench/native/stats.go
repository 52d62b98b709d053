// Percentile summaries and per-template reach, the same definitions as scripts/loadgen/stats.ts
// and jobbook.ts, so bench/scale reads this tool's figures exactly as it reads the Deno one's.

package main

import (
	"math"
	"sort"
)

// summary is scripts/loadgen/stats.ts Summary (same unit as the samples).
type summary struct {
	Count int     `json:"count"`
	Min   float64 `json:"min"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// percentile is the nearest-rank percentile q (0-1) of ascending sorted values.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	if rank < 0 {
		rank = 0
	}
	if rank > len(sorted)-1 {
		rank = len(sorted) - 1
	}
	return sorted[rank]
}

// summarize sorts values in place and summarizes them, rounded to 3 decimals.
func summarize(values []float64) summary {
	if len(values) == 0 {
		return summary{}
	}
	sort.Float64s(values)
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	return summary{
		Count: len(values),
		Min:   round3(values[0]),
		P50:   round3(percentile(values, 0.5)),
		P90:   round3(percentile(values, 0.9)),
		P99:   round3(percentile(values, 0.99)),
		Max:   round3(values[len(values)-1]),
		Mean:  round3(sum / float64(len(values))),
	}
}

// receipt is one notify a miner read: the template timestamp it names and when it arrived
// (both ms since the epoch).
type receipt struct{ ts, at float64 }

// templateReach is scripts/loadgen/jobbook.ts TemplateReach.
type templateReach struct {
	Timestamp float64 `json:"timestamp"`
	Received  int     `json:"received"`
	Reached   int     `json:"reached"`
	P50       float64 `json:"p50"`
	P99       float64 `json:"p99"`
	Max       float64 `json:"max"`
	LastAt    float64 `json:"lastAt"`
}

// reach of every template received in [from, to] by the given miners' logs (each in arrival
// order): when each miner first held it or newer work, per template and pooled (ms).
func reach(logs [][]receipt, from, to float64) ([]templateReach, summary) {
	seen := map[float64]int{}
	for _, log := range logs {
		for _, r := range log {
			if r.at >= from && r.at <= to {
				seen[r.ts]++
			}
		}
	}
	targets := make([]float64, 0, len(seen))
	for ts := range seen {
		targets = append(targets, ts)
	}
	sort.Float64s(targets)
	delays := make([][]float64, len(targets))
	lastAt := make([]float64, len(targets))
	var pooled []float64
	for _, log := range logs {
		held := math.Inf(-1)
		k := 0
		for _, r := range log {
			if k >= len(targets) {
				break
			}
			held = math.Max(held, r.ts)
			for k < len(targets) && targets[k] <= held {
				d := r.at - targets[k]
				delays[k] = append(delays[k], d)
				pooled = append(pooled, d)
				lastAt[k] = math.Max(lastAt[k], r.at)
				k++
			}
		}
	}
	out := make([]templateReach, len(targets))
	for k, ts := range targets {
		d := delays[k]
		sort.Float64s(d)
		max := 0.0
		if len(d) > 0 {
			max = d[len(d)-1]
		}
		out[k] = templateReach{
			Timestamp: ts,
			Received:  seen[ts],
			Reached:   len(d),
			P50:       round3(percentile(d, 0.5)),
			P99:       round3(percentile(d, 0.99)),
			Max:       round3(max),
			LastAt:    round3(lastAt[k]),
		}
	}
	return out, summarize(pooled)
}
