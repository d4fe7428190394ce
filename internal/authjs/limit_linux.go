package authjs

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// childProcAttr kills the child when the parent dies, whatever the child
// is doing.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// capAddressSpace sets RLIMIT_AS to what the process has mapped now plus
// twice the memory limit: room for the collector's headroom and arena
// reservations, while one allocation far beyond the limit (a typed array
// of 10^9 elements) fails and the runtime dies with "out of memory",
// which the parent reports as a MemoryError.
func capAddressSpace(limit int64) {
	mapped := mappedBytes()
	if mapped <= 0 {
		return
	}
	want := uint64(mapped) + 2*uint64(limit)
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &cur); err != nil {
		return
	}
	if cur.Max < want { // RLIM_INFINITY is the largest value
		want = cur.Max
	}
	_ = syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: want, Max: want})
}

// mappedBytes is the process's virtual size (the first field of
// /proc/self/statm, in pages).
func mappedBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	pages, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
