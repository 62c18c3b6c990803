// Package prefault backs fresh memory in one system call instead of one
// page fault per 4 KiB page on first touch.
//
// A large allocation from the Go heap is new address space: writing it
// faults every page in separately, and under a hypervisor a fault can cost
// 10 µs or more, ten to twenty times what the kernel needs to populate the
// same pages in one madvise(MADV_POPULATE_WRITE) call. Short commands (a
// proof from a snapshot) spend most of their time in such faults, on the
// decoded instruction list, the memory pages and the files they read.
// Where the call is unavailable (other systems, Linux before 5.14) the
// functions do nothing and the pages fault in as usual.
package prefault

import "unsafe"

// minBytes is the smallest allocation worth a system call.
const minBytes = 64 << 10

// Bytes populates the whole pages inside b.
func Bytes(b []byte) {
	if len(b) >= minBytes {
		populate(uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	}
}

// Slice populates the whole pages inside s's elements.
func Slice[T any](s []T) {
	var zero T
	if n := uintptr(len(s)) * unsafe.Sizeof(zero); n >= minBytes {
		populate(uintptr(unsafe.Pointer(unsafe.SliceData(s))), n)
	}
}
