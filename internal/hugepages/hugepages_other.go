//go:build !linux

// Package hugepages asks the kernel to back large, randomly read arrays
// with transparent huge pages (routing passes Advise to geo.NewIndex, which
// stays free of system calls).
package hugepages

// Advise does nothing where transparent huge pages are not asked for.
func Advise(b []byte) {}
