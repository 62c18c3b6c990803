//go:build !unix

package main

import "os"

// writeFileFast writes path through a temporary name and a rename, so a
// reader never sees a partial file, but without fsync (see the unix
// version).
func writeFileFast(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
