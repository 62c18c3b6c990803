package executor

import (
	"runtime"
	"syscall"
	"unsafe"
)

// newPageTable maps owner's page table outside the Go heap (see Memory),
// unmapped once owner is unreachable. The mapping is private, lazily
// zero-filled and reserves no swap, so only the parts of the table that
// pages are installed in ever take memory.
func newPageTable(owner *Memory) *pageTable {
	size := int(unsafe.Sizeof(pageTable{}))
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_NORESERVE)
	if err != nil {
		return new(pageTable) // out of address space: the heap still works
	}
	runtime.AddCleanup(owner, func(b []byte) { syscall.Munmap(b) }, b)
	return (*pageTable)(unsafe.Pointer(&b[0]))
}
