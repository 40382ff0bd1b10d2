//go:build unix

package pgtest

import "syscall"

// ownSession has a child start a session of its own, so that the test
// process's signals and its end do not reach it.
func ownSession() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
