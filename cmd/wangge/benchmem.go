package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unsafe"

	"github.com/wangge-dev/wangge/internal/hugepages"
)

// memProbe measures what a dependent read from memory costs at the moment:
// the bench's in-process figures are dominated by it once the index no
// longer fits the caches, and on a shared host the guest's share of the L3
// moves with the other guests (docs/benchmarks.md). It walks a random cycle
// over the 64-byte lines of the first n bytes of one huge-page-advised
// buffer, so that neither the TLB nor the prefetchers hide the latency.
type memProbe struct {
	buf []uint64 // 8 words a line; the first word of a line holds the next line's word index
}

var memSink uint64 // the walk's last index, so that it is not optimised away

// memProbeSizes are the sizes walked (MB).
var memProbeSizes = []int{1, 2, 4, 8, 16}

func newMemProbe() *memProbe {
	max := memProbeSizes[len(memProbeSizes)-1] << 20
	buf := make([]uint64, max/8)
	hugepages.Advise(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(buf))), len(buf)*8))
	return &memProbe{buf: buf}
}

// walk is the mean cost (ns) of one dependent read over a random cycle of
// the lines in the first n bytes.
func (p *memProbe) walk(n int, rng *rand.Rand) float64 {
	lines := n / 64
	perm := rng.Perm(lines)
	for i, l := range perm {
		p.buf[l*8] = uint64(perm[(i+1)%lines] * 8)
	}
	j := uint64(perm[0] * 8)
	for range lines { // once round, to load what fits
		j = p.buf[j]
	}
	const steps = 200_000
	t0 := time.Now()
	for range steps {
		j = p.buf[j]
	}
	d := time.Since(t0)
	memSink = j
	return float64(d) / steps
}

// line is the probe's figures for the bench output.
func (p *memProbe) line(rng *rand.Rand) string {
	var mb, ns []string
	for _, s := range memProbeSizes {
		mb = append(mb, fmt.Sprint(s))
		ns = append(ns, fmt.Sprintf("%.0f", p.walk(s<<20, rng)))
	}
	return fmt.Sprintf("a dependent read over %s MB: %s ns", strings.Join(mb, " / "), strings.Join(ns, " / "))
}
