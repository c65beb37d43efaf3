package hugepages

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestAdvise: the memory keeps its contents, odd sizes and alignments are
// handled, and where the kernel offers huge pages on request the advised
// range is backed by them (read back from /proc/self/smaps).
func TestAdvise(t *testing.T) {
	Advise(nil)
	Advise(make([]byte, 100))
	b := make([]byte, 16<<20+12345)
	for i := range b {
		b[i] = byte(i * 7)
	}
	Advise(b[3:]) // unaligned start
	for i := range b {
		if b[i] != byte(i*7) {
			t.Fatalf("byte %d changed", i)
		}
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") && !strings.Contains(string(mode), "[always]") {
		t.Logf("transparent huge pages are not offered here (%q): contents checked only", strings.TrimSpace(string(mode)))
		return
	}
	if kb := hugeKB(t, uintptr(unsafe.Pointer(&b[len(b)/2]))); kb < 2048 { // the middle: madvise splits the mapping at the aligned start
		t.Fatalf("the advised 16 MB are backed by %d kB of huge pages", kb)
	}
}

// hugeKB is AnonHugePages of the mapping holding addr.
func hugeKB(t *testing.T, addr uintptr) int {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			r := strings.SplitN(fields[0], "-", 2)
			lo, err1 := strconv.ParseUint(r[0], 16, 64)
			hi, err2 := strconv.ParseUint(r[1], 16, 64)
			in = err1 == nil && err2 == nil && uint64(addr) >= lo && uint64(addr) < hi
			continue
		}
		if in && strings.HasPrefix(line, "AnonHugePages:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	t.Fatal("no mapping holds the slice")
	return 0
}
