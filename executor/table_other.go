//go:build !linux

package executor

// newPageTable allocates the page table on the Go heap.
func newPageTable(*Memory) *pageTable { return new(pageTable) }
