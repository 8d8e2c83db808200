// Command consistency-proxy runs the acceptance tests' proxy in consistency
// mode in front of an emulator, for `make demo` (DEMO_CONSISTENCY=1) or a
// hand-run apply: the provider then meets AWS's eventual-consistency windows
// (internal/acctest/CONSISTENCY.md) outside the test suite.
//
//	consistency-proxy -upstream http://127.0.0.1:4566 -listen 127.0.0.1:4599 [-scale 1]
//
// It prints the proxy's URL on its first line, and on SIGINT/SIGTERM the
// consistency answers it gave, one per line.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
)

func main() {
	upstream := flag.String("upstream", "http://127.0.0.1:4566", "the emulator's endpoint")
	listen := flag.String("listen", "127.0.0.1:4599", "address to listen on")
	scale := flag.Float64("scale", 1, "multiplies every window of acctest.RealisticWindows")
	flag.Parse()

	p, err := acctest.NewProxy(*upstream, acctest.WithListenAddr(*listen),
		acctest.WithConsistency(acctest.RealisticWindows().Scale(*scale)))
	if err != nil {
		log.Fatalf("consistency-proxy: %v", err)
	}
	fmt.Println(p.URL())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	hits := p.ConsistencyHits()
	fmt.Printf("consistency-proxy: %d answers shaped by AWS's consistency windows\n", len(hits))
	for _, h := range hits {
		fmt.Printf("  %s %s:%s %s -> %s after %s\n", h.Rule, h.Service, h.Operation, h.Resource, h.Answer, h.Age.Round(1e6))
	}
	p.Close()
}
