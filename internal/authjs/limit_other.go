//go:build !linux

package authjs

import "syscall"

// childProcAttr: only Linux can tie the child's life to the parent's; the
// child's own timer (serveChild) ends it at the deadline elsewhere.
func childProcAttr() *syscall.SysProcAttr { return nil }

// capAddressSpace: other systems have no dependable address-space limit
// for Go programs, so the memory watchdog alone enforces the limit there.
func capAddressSpace(int64) {}
