//go:build unix

package main

import (
	"os"
	"syscall"
)

// writeFileFast writes path through a temporary name and a rename, so a
// reader never sees a partial file, but without fsync: --proof-at always
// writes thousands of files a second, each one regenerable. It makes four
// system calls (open, write, close, rename) where os.WriteFile and
// os.Rename make ten (the descriptor's poller registration and flag
// checks, the rename's directory check), which is what limited proofs per
// second.
func writeFileFast(path string, data []byte) error {
	tmp := path + ".tmp"
	fd, err := retry(func() (int, error) {
		return syscall.Open(tmp, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC|syscall.O_CLOEXEC, 0o644)
	})
	if err != nil {
		return &os.PathError{Op: "open", Path: tmp, Err: err}
	}
	for len(data) > 0 && err == nil {
		var n int
		if n, err = retry(func() (int, error) { return syscall.Write(fd, data) }); err == nil {
			data = data[n:]
		}
	}
	if cerr := syscall.Close(fd); err == nil && cerr != nil && cerr != syscall.EINTR {
		err = cerr
	}
	if err != nil {
		syscall.Unlink(tmp)
		return &os.PathError{Op: "write", Path: tmp, Err: err}
	}
	if _, err := retry(func() (int, error) { return 0, syscall.Rename(tmp, path) }); err != nil {
		return &os.LinkError{Op: "rename", Old: tmp, New: path, Err: err}
	}
	return nil
}

// retry repeats a system call interrupted by a signal (the Go runtime's
// preemption signals interrupt raw system calls).
func retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
