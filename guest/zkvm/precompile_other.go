//go:build !(linux && (mips || mipsle))

package zkvm

import "unsafe"

// hostPrecompile serves the precompiles on other platforms, like hostCall:
// it panics unless a test replaces it with a fake zkVM. p0 is the a0 pointer;
// p1 is the a1 pointer, or nil when a1 is the integer a1 (or unused).
var hostPrecompile = func(code uintptr, p0, p1 unsafe.Pointer, a1 uintptr) {
	panic("zkvm: not a zkVM guest; build with GOOS=linux GOARCH=mipsle GOMIPS=softfloat")
}

func precompile(code uintptr, p0, p1 unsafe.Pointer) { hostPrecompile(code, p0, p1, 0) }

func precompileInt(code uintptr, p unsafe.Pointer, a1 uintptr) { hostPrecompile(code, p, nil, a1) }
