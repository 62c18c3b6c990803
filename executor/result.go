package executor

import (
	"crypto/sha256"
	"sort"

	"github.com/zkmips/zkmips/program"
)

// Result is the outcome of a run.
type Result struct {
	Steps    uint64
	Exited   bool
	ExitCode int
	// Fault is set when a fault ended the guest (ExitCode is 128+signal).
	Fault *Fault
	// Err is set when the executor stopped the run (unsupported instruction,
	// step limit, --strict unknown syscall, missing input...): not a guest
	// outcome.
	Err error
	// OpCounts maps mnemonics to execution counts (only those executed).
	OpCounts map[string]uint64
	// SyscallCounts maps syscall names to call counts.
	SyscallCounts map[string]uint64
	// UnknownSyscalls maps numbers of syscalls answered -ENOSYS to counts.
	UnknownSyscalls map[uint32]uint64
	// PublicValues is what the guest wrote to fd 13 (zkVM).
	PublicValues []byte
	// PublicValuesDigest is sha256(PublicValues).
	PublicValuesDigest [32]byte
	// CommittedDigest is what the guest committed with COMMIT (8 words,
	// little-endian), and Committed whether it did.
	CommittedDigest [32]byte
	Committed       bool
	// DeferredProofsDigest is what COMMIT_DEFERRED_PROOFS committed.
	DeferredProofsDigest [32]byte
}

// Result returns the outcome so far (Run returns it at the end; a caller
// that drives the machine otherwise, as tracing does, asks for it).
func (m *Machine) Result() *Result { return m.result() }

func (m *Machine) result() *Result {
	r := &Result{
		Steps:           m.step,
		Exited:          m.exited,
		ExitCode:        int(m.exitCode),
		Fault:           m.fault,
		Err:             m.err,
		OpCounts:        map[string]uint64{},
		SyscallCounts:   map[string]uint64{},
		UnknownSyscalls: map[uint32]uint64{},
		PublicValues:    append([]byte(nil), m.zk.public...),
		Committed:       m.zk.committed,
	}
	for op, n := range m.opCount {
		if n != 0 {
			r.OpCounts[program.Op(op).String()] += n
		}
	}
	for num, n := range m.os.calls {
		r.SyscallCounts[syscallName(num)] += n
	}
	for num, n := range m.os.unknown {
		r.UnknownSyscalls[num] = n
	}
	r.PublicValuesDigest = sha256.Sum256(r.PublicValues)
	for i, w := range m.zk.digest {
		r.CommittedDigest[4*i], r.CommittedDigest[4*i+1], r.CommittedDigest[4*i+2], r.CommittedDigest[4*i+3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	}
	for i, w := range m.zk.deferred {
		r.DeferredProofsDigest[4*i], r.DeferredProofsDigest[4*i+1], r.DeferredProofsDigest[4*i+2], r.DeferredProofsDigest[4*i+3] = byte(w), byte(w>>8), byte(w>>16), byte(w>>24)
	}
	return r
}

// SortedKeys returns the keys of a count map in order (for stable output).
func SortedKeys[K ~string | ~uint32](m map[K]uint64) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}
