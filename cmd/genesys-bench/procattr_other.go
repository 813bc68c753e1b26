//go:build !linux

package main

import "syscall"

func childProcAttr() *syscall.SysProcAttr { return nil }

// dieWithParent is Linux's alone; elsewhere a wrapper whose terraform died lives on until its
// provider exits.
func dieWithParent() {}
