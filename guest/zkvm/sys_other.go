//go:build !(linux && (mips || mipsle))

package zkvm

import "unsafe"

// On other platforms there is no zkVM to call: every call goes to hostCall,
// which panics unless a test replaces it with a fake zkVM. buf is the memory a
// pointer argument refers to (nil for calls without one).
var hostCall = func(code, a0, a1 uintptr, buf []byte) uintptr {
	panic("zkvm: not a zkVM guest; build with GOOS=linux GOARCH=mipsle GOMIPS=softfloat")
}

func call(code, a0, a1 uintptr) uintptr { return hostCall(code, a0, a1, nil) }

func hintRead(p unsafe.Pointer, n int) {
	hostCall(callHintRead, uintptr(p), uintptr(n), unsafe.Slice((*byte)(p), n))
}

func write(fd int, p unsafe.Pointer, n int) {
	hostCall(callWrite, uintptr(fd), uintptr(n), unsafe.Slice((*byte)(p), n))
}
