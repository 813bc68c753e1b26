package main

import "syscall"

// childProcAttr makes the provider die with its wrapper, so a wrapper Terraform kills leaves no
// orphan behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
