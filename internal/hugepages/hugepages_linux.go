// Package hugepages asks the kernel to back large, randomly read arrays
// with transparent huge pages (routing passes Advise to geo.NewIndex, which
// stays free of system calls).
package hugepages

import (
	"syscall"
	"unsafe"
)

const size = 2 << 20

// madvCollapse is MADV_COLLAPSE (Linux 6.1): back the range with huge
// pages now, synchronously.
const madvCollapse = 25

// Advise asks for transparent huge pages on the 2 MiB-aligned part of b.
// The raster and the lists of a large city's index are read at random, one
// cache line per lookup: with 4 KiB pages nearly every read also misses the
// TLB (measured: −15–20 % per lookup at 15,000 and 50,000 grids). Errors
// are ignored: huge pages are an optimisation, and kernels without
// MADV_COLLAPSE or with THP disabled keep small pages. Go heap memory may
// be passed; the kernel splits the huge pages again if the runtime later
// returns part of it.
func Advise(b []byte) {
	if len(b) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := int((size - start%size) % size)
	if len(b) < skip+size {
		return
	}
	b = b[skip : skip+(len(b)-skip)&^(size-1)]
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
	_ = syscall.Madvise(b, madvCollapse)
}
