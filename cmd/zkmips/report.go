package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/zkmips/zkmips/executor"
)

// report is the JSON document --report writes. Field order is the key order
// of the output; maps are written with sorted keys.
type report struct {
	Program            string            `json:"program"`
	Steps              uint64            `json:"steps"`
	ExitCode           int               `json:"exit_code"`
	Exited             bool              `json:"exited"`
	Fault              *faultReport      `json:"fault"`
	Error              *string           `json:"error"`
	ElapsedSeconds     float64           `json:"elapsed_seconds"`
	StepsPerSecond     float64           `json:"steps_per_second"`
	Opcodes            map[string]uint64 `json:"opcodes"`
	Syscalls           map[string]uint64 `json:"syscalls"`
	UnknownSyscalls    map[string]uint64 `json:"unknown_syscalls"`
	PublicValues       string            `json:"public_values"`
	PublicValuesDigest string            `json:"public_values_digest"`
	CommittedDigest    *string           `json:"committed_digest"`
}

// faultReport describes the fault that ended a guest.
type faultReport struct {
	Signal     int    `json:"signal"`
	SignalName string `json:"signal_name"`
	Kind       string `json:"kind"`
	PC         string `json:"pc"`
	Step       uint64 `json:"step"`
	Message    string `json:"message"`
}

// newReport describes the run of program (the PROGRAM argument as given)
// that produced res in elapsed wall-clock time.
func newReport(program string, res *executor.Result, elapsed time.Duration) *report {
	r := &report{
		Program:            program,
		Steps:              res.Steps,
		ExitCode:           res.ExitCode,
		Exited:             res.Exited,
		ElapsedSeconds:     elapsed.Seconds(),
		Opcodes:            map[string]uint64{},
		Syscalls:           map[string]uint64{},
		UnknownSyscalls:    map[string]uint64{},
		PublicValues:       hex.EncodeToString(res.PublicValues),
		PublicValuesDigest: hex.EncodeToString(res.PublicValuesDigest[:]),
	}
	if s := elapsed.Seconds(); s > 0 {
		r.StepsPerSecond = float64(res.Steps) / s
	}
	if f := res.Fault; f != nil {
		r.Fault = &faultReport{
			Signal:     f.Signal,
			SignalName: executor.SignalName(f.Signal),
			Kind:       f.Kind.String(),
			PC:         fmt.Sprintf("0x%08x", f.PC),
			Step:       f.Step,
			Message:    f.Error(),
		}
	}
	if res.Err != nil {
		msg := res.Err.Error()
		r.Error = &msg
	}
	for k, n := range res.OpCounts {
		r.Opcodes[k] = n
	}
	for k, n := range res.SyscallCounts {
		r.Syscalls[k] = n
	}
	for k, n := range res.UnknownSyscalls {
		r.UnknownSyscalls[strconv.FormatUint(uint64(k), 10)] = n
	}
	if res.Committed {
		d := hex.EncodeToString(res.CommittedDigest[:])
		r.CommittedDigest = &d
	}
	return r
}

// marshal encodes the report as indented JSON ending in a newline.
func (r *report) marshal() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		// Only strings, numbers and maps of them: encoding cannot fail.
		panic(err)
	}
	return b.Bytes()
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory renamed over path, so readers never see a partial file.
func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
