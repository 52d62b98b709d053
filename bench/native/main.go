// Command native is the scale bench's native measuring instrument (issue 20): a Stratum load
// generator and a bare broadcast floor server in Go, stdlib only, so that the measuring side
// costs a fraction of what a Deno load generator costs and the floor is the machine's own.
//
//	native loadgen --port 5555 --miners 1000 [--mix array:1,bighex:1,bitmain:1,simple:1] [--hold-s 10] ... --out summary.json
//	native floor --port 0 --rate 2 [--duration-s 300]
//
// bench/scale/native.ts builds it with `go build` into a directory outside the repository.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: native loadgen|floor [flags] (native <command> -h lists the flags)")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "loadgen":
		os.Exit(runLoadgen(os.Args[2:]))
	case "floor":
		os.Exit(runFloor(os.Args[2:]))
	default:
		fmt.Fprintf(os.Stderr, "native: unknown command %q (use loadgen or floor)\n", os.Args[1])
		os.Exit(2)
	}
}
