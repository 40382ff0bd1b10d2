//go:build !unix

package pgtest

import "syscall"

// ownSession: no sessions here (the watchdog is a shell script, and the
// tests that need PostgreSQL skip where it does not run).
func ownSession() *syscall.SysProcAttr { return nil }
