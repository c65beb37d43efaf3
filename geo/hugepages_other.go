//go:build !linux

package geo

// hugePages is a no-op where transparent huge pages are not asked for.
func hugePages[T any](s []T) {}
