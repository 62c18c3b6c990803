//go:build linux && (mips || mipsle)

package zkvm

import (
	"strconv"
	"syscall"
	"unsafe"
)

// The calls go through syscall.RawSyscall rather than an assembly stub: on
// linux/mips and linux/mipsle it loads the code into v0 and the arguments into
// a0..a2, clears a3, executes `syscall`, and returns v0. Linux reports failure
// by setting a3; zkmips leaves a3 untouched for zkVM calls, so a3 stays 0 and a
// non-zero errno means the host is not a zkVM (qemu-user answers ENOSYS).
// RawSyscall neither enters the scheduler nor splits the stack, and it is
// maintained with the runtime, so one source builds for both byte orders.
//
// Buffers are passed as unsafe.Pointer and converted to uintptr only inside
// the RawSyscall argument list, the form for which the compiler keeps the
// object alive and unmoved until the call returns.

// call issues a zkVM call whose arguments are plain integers.
func call(code, a0, a1 uintptr) uintptr {
	r, _, errno := syscall.RawSyscall(code, a0, a1, 0)
	check(code, errno)
	return r
}

// hintRead issues HINT_READ into the n bytes at p.
func hintRead(p unsafe.Pointer, n int) {
	_, _, errno := syscall.RawSyscall(callHintRead, uintptr(p), uintptr(n), 0)
	check(callHintRead, errno)
}

// write issues WRITE of the n bytes at p to fd.
func write(fd int, p unsafe.Pointer, n int) {
	_, _, errno := syscall.RawSyscall(callWrite, uintptr(fd), uintptr(p), uintptr(n))
	check(callWrite, errno)
}

func check(code uintptr, errno syscall.Errno) {
	if errno != 0 {
		panic("zkvm: call 0x" + strconv.FormatUint(uint64(code), 16) + " failed (" +
			errno.Error() + "): not running under a zkVM such as zkmips?")
	}
}
