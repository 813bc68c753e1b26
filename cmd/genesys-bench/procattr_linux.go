package main

import "syscall"

// childProcAttr makes the provider die with its wrapper, so a wrapper Terraform kills leaves no
// orphan behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// dieWithParent has the kernel send the wrapper SIGTERM when the process that started it
// (terraform) dies, which runWrapped passes on to the provider: an interrupted benchmark leaves
// no wrapper behind.
func dieWithParent() {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
}
