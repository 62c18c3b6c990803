//go:build linux && (mips || mipsle)

package zkvm

import (
	"syscall"
	"unsafe"
)

// precompile issues the precompile code with the pointer arguments p0 (a0)
// and p1 (a1; nil passes 0). As for hintRead, the pointers become uintptr
// only inside the RawSyscall argument list.
func precompile(code uintptr, p0, p1 unsafe.Pointer) {
	_, _, errno := syscall.RawSyscall(code, uintptr(p0), uintptr(p1), 0)
	check(code, errno)
}

// precompileInt issues the precompile code with the pointer argument p (a0)
// and the integer a1.
func precompileInt(code uintptr, p unsafe.Pointer, a1 uintptr) {
	_, _, errno := syscall.RawSyscall(code, uintptr(p), a1, 0)
	check(code, errno)
}
