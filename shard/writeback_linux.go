package shard

import (
	"os"
	"syscall"
)

// startWriteback asks the kernel to start writing f's dirty pages to disk
// without waiting for them: a trace of gigabytes then streams to disk as
// it is produced rather than piling up in the page cache until a sync.
func startWriteback(f *os.File) {
	syscall.SyncFileRange(int(f.Fd()), 0, 0, 2) // SYNC_FILE_RANGE_WRITE
}
