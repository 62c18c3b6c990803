package prefault

import "syscall"

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14).
const madvPopulateWrite = 23

func populate(p, n uintptr) {
	start, end := (p+4095)&^4095, (p+n)&^4095
	if end > start {
		// An error (an old kernel) leaves the pages to fault in one by one.
		syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvPopulateWrite)
	}
}
