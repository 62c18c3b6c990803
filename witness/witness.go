package witness

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/zkmips/zkmips/executor"
	"github.com/zkmips/zkmips/program"
)

// StepWitness is everything needed to check one step on chain.
type StepWitness struct {
	// Step is the number of the step proven (the pre-state's step count).
	Step uint64
	// State is the encoded pre-state.
	State [StateSize]byte
	// Pre and Post are the state hashes before and after the step.
	Pre, Post [32]byte
	// Proofs holds ProofSize-byte memory proofs: #0 the instruction word
	// at pc against the pre-state root; then one per distinct aligned data
	// word in the order the step first accesses it, proof i valid against
	// the root after the words of proofs 1..i-1 took their post-step
	// values (docs/fault-proofs.md). A step that touches no data word
	// carries #0 again as #1, so every single-word step has exactly two
	// proofs (1,792 bytes), as Cannon.
	Proofs []byte
	// BigEndian is the guest's byte order, which fixes the contract
	// deployment that can check the witness.
	BigEndian bool
	// Oracle is set when the step reads the pre-image oracle (fd 5).
	Oracle *OracleRead
	// Addrs is the aligned address of each proof (not part of the proof
	// file: the contract derives addresses from the state and instruction).
	Addrs []uint32
}

// OracleRead is the pre-image a step reads: the contract's oracle must hold
// it before the step is checked.
type OracleRead struct {
	// Key is the guest-visible key (before on-chain localization of a
	// local key).
	Key [32]byte
	// Value is the pre-image as the guest reads it: u64 big-endian length,
	// then the data.
	Value []byte
	// Offset is the read position in Value.
	Offset uint32
}

// Proof returns proof i.
func (w *StepWitness) Proof(i int) (p [ProofSize]byte) {
	copy(p[:], w.Proofs[i*ProofSize:])
	return p
}

// NumProofs returns how many memory proofs the witness carries.
func (w *StepWitness) NumProofs() int { return len(w.Proofs) / ProofSize }

// ErrUnprovable is wrapped by Prove's errors for steps that cannot be
// proven.
var ErrUnprovable = errors.New("step cannot be proven")

// zkVM calls that replace the whole state (zkvm.go): the fault-proof state
// has no room for the saved copy.
const (
	zkEnterUnconstrained = 0x03
	zkExitUnconstrained  = 0x04
)

// Prove produces the witness of the next step m will execute, then
// executes it. t must be the tree that follows m (one Tree per machine).
// Prove switches the machine's access log (LogAccesses) on and off itself.
// On error the step has not been executed (the machine may have stopped
// with an executor error, as it would have in Run).
func Prove(m *executor.Machine, t *Tree) (*StepWitness, error) {
	if m.Exited() {
		return nil, fmt.Errorf("%w: the guest has exited", ErrUnprovable)
	}
	if m.Err() != nil {
		return nil, fmt.Errorf("%w: the run stopped: %v", ErrUnprovable, m.Err())
	}
	if m.Unconstrained() {
		return nil, fmt.Errorf("%w: unconstrained execution has no fault-proof state", ErrUnprovable)
	}
	if err := checkScope(m); err != nil {
		return nil, err
	}
	pre := t.Root(m)
	st := m.State()
	w := &StepWitness{Step: st.Step, State: EncodeState(pre, st), BigEndian: m.BigEndian()}
	w.Pre = StateHash(w.State)
	pc := st.PC &^ 3
	p0 := t.proof(m, pc, nil)
	w.Addrs = []uint32{pc}
	w.Proofs = append(make([]byte, 0, 2*ProofSize), p0[:]...)

	// The data words in first-access order with their values before the
	// step: loads and stores from the instruction, syscalls from the
	// access log of the real step.
	if key, value, offset, ok := m.OracleRead(); ok {
		w.Oracle = &OracleRead{Key: key, Value: slices.Clone(value), Offset: offset}
	}
	// System words (the OS state in the null page) come first, ascending;
	// their values before the step are the tree's null page.
	addrs := systemWords(m)
	prev := make(map[uint32]uint32, 4)
	for _, a := range addrs {
		prev[a] = t.sys[a>>2&1023]
	}
	data, syscall := dataWords(m)
	if syscall {
		if v0 := m.Reg(2); v0 == zkEnterUnconstrained || v0 == zkExitUnconstrained {
			return nil, fmt.Errorf("%w: unconstrained execution has no fault-proof state", ErrUnprovable)
		}
		var log []executor.Access
		m.LogAccesses(&log)
		m.RunUntil(st.Step + 1)
		m.LogAccesses(nil)
		for _, a := range log {
			if a.Output {
				continue // bytes that leave the machine: not state
			}
			if _, seen := prev[a.Addr]; !seen {
				prev[a.Addr] = a.Prev
				addrs = append(addrs, a.Addr)
			}
		}
	} else {
		for _, a := range data {
			if _, seen := prev[a]; !seen {
				prev[a] = m.ReadWord(a)
				addrs = append(addrs, a)
			}
		}
		m.RunUntil(st.Step + 1)
	}
	if m.Err() != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnprovable, m.Err())
	}
	if m.Step() != st.Step+1 {
		return nil, fmt.Errorf("%w: the step moved the step counter from %d to %d", ErrUnprovable, st.Step, m.Step())
	}
	// Every OS-state change must be among the proven system words.
	var post [1024]uint32
	m.SystemPage(&post)
	for i := range post {
		if a := uint32(4 * i); post[i] != t.sys[i] && !slices.Contains(addrs, a) {
			return nil, fmt.Errorf("internal error: step %d changed system word 0x%03x, which systemWords does not list", st.Step, a)
		}
	}
	if len(addrs) == 0 {
		// No data word: proof #1 repeats proof #0 (docs/fault-proofs.md).
		w.Addrs = append(w.Addrs, pc)
		w.Proofs = append(w.Proofs, p0[:]...)
	} else {
		w.Addrs = append(w.Addrs, addrs...)
		w.Proofs = append(w.Proofs, sequentialProofs(m, t, addrs, prev, &post)...)
	}
	w.Post = StateHash(EncodeState(t.Root(m), m.State()))
	return w, nil
}

// sequentialProofs returns the proofs of addrs (first-access order) in the
// form the contract consumes them: proof i is valid against the root of
// the memory in which the words of proofs 0..i-1 already hold their values
// after the step and the others their values before it (prev). The proofs
// are taken against the pre-step root, then each is brought forward by
// replacing the siblings and leaf bytes that earlier words' paths changed.
func sequentialProofs(m *executor.Machine, t *Tree, addrs []uint32, prev map[uint32]uint32, sysPost *[1024]uint32) []byte {
	type node struct {
		h int
		i uint32
	}
	changed := make(map[node][32]byte, len(addrs)*(TreeDepth+1))
	out := make([]byte, 0, len(addrs)*ProofSize)
	h := t.h
	for _, a := range addrs {
		p := t.proof(m, a, prev)
		if l, ok := changed[node{0, a >> 5}]; ok {
			copy(p[:32], l[:])
		}
		for k := 0; k < TreeDepth; k++ {
			if s, ok := changed[node{k, a>>(5+k) ^ 1}]; ok {
				copy(p[32*(k+1):], s[:])
			}
		}
		out = append(out, p[:]...)
		// Apply the word's final value and record the new path.
		cur := [32]byte(p[:32])
		final := m.ReadWord(a)
		if a < executor.NullLimit {
			final = sysPost[a>>2]
		}
		putWord(cur[a&31:], final, m.BigEndian())
		changed[node{0, a >> 5}] = cur
		for k := 0; k < TreeDepth; k++ {
			sib := [32]byte(p[32*(k+1):])
			if a>>(5+k)&1 != 0 {
				cur = h.hash2(&sib, &cur)
			} else {
				cur = h.hash2(&cur, &sib)
			}
			changed[node{k + 1, a >> (6 + k)}] = cur
		}
	}
	return out
}

// putWord stores word v into b as the guest's memory bytes.
func putWord(b []byte, v uint32, bigEndian bool) {
	if bigEndian {
		binary.BigEndian.PutUint32(b, v)
	} else {
		binary.LittleEndian.PutUint32(b, v)
	}
}

// dataWords returns the aligned data words a load or store at the next
// step accesses: the effective address (rs + offset, aligned down, also
// when the access will fault, so that it is a function of the instruction
// and registers alone), and for LDC1/SDC1 the following word too. For a
// syscall it reports syscall: its words are only known by executing it.
func dataWords(m *executor.Machine) (addrs []uint32, syscall bool) {
	pc := m.PC()
	if pc&3 != 0 || pc < executor.NullLimit {
		return nil, false // the fetch faults
	}
	in := m.InstAt(pc)
	if in.Op == program.OpSYSCALL {
		return nil, true
	}
	a, n := m.DataWords(in)
	for i := 0; i < n; i++ {
		addrs = append(addrs, a+4*uint32(i))
	}
	return addrs, false
}

// proofFile is the JSON proof file of OP Stack tooling (REFERENCE
// section 3). The oracle fields appear only for steps that read the
// pre-image oracle. "byte-order" is zkmips's own addition and appears only
// for little-endian guests, so big-endian (Cannon) files stay exactly in
// Cannon's format.
type proofFile struct {
	Step         uint64  `json:"step"`
	Pre          string  `json:"pre"`
	Post         string  `json:"post"`
	StateData    string  `json:"state-data"`
	ProofData    string  `json:"proof-data"`
	OracleKey    string  `json:"oracle-key,omitempty"`
	OracleValue  string  `json:"oracle-value,omitempty"`
	OracleOffset *uint32 `json:"oracle-offset,omitempty"`
	ByteOrder    string  `json:"byte-order,omitempty"`
}

// MarshalJSON writes the proof file: {"step", "pre", "post", "state-data",
// "proof-data"} with 0x-prefixed hex, plus the oracle fields and the byte
// order when they apply (see proofFile).
func (w *StepWitness) MarshalJSON() ([]byte, error) { return w.AppendJSON(nil), nil }

// AppendJSON appends the proof file (MarshalJSON's bytes) to dst. It writes
// the JSON directly: encoding/json would re-validate the few kilobytes of
// hex of every proof, which dominated --proof-at always.
func (w *StepWitness) AppendJSON(dst []byte) []byte {
	hexField := func(dst []byte, name string, b []byte) []byte {
		dst = append(dst, `,"`...)
		dst = append(dst, name...)
		dst = append(dst, `":"0x`...)
		return append(hex.AppendEncode(dst, b), '"')
	}
	dst = append(dst, `{"step":`...)
	dst = strconv.AppendUint(dst, w.Step, 10)
	dst = hexField(dst, "pre", w.Pre[:])
	dst = hexField(dst, "post", w.Post[:])
	dst = hexField(dst, "state-data", w.State[:])
	dst = hexField(dst, "proof-data", w.Proofs)
	if o := w.Oracle; o != nil {
		dst = hexField(dst, "oracle-key", o.Key[:])
		dst = hexField(dst, "oracle-value", o.Value)
		dst = append(dst, `,"oracle-offset":`...)
		dst = strconv.AppendUint(dst, uint64(o.Offset), 10)
	}
	if !w.BigEndian {
		dst = append(dst, `,"byte-order":"little"`...)
	}
	return append(dst, '}')
}

// UnmarshalJSON reads a proof file. Addrs is left empty (addresses are
// not in the file).
func (w *StepWitness) UnmarshalJSON(b []byte) error {
	var f proofFile
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	nw := StepWitness{Step: f.Step, BigEndian: true}
	switch f.ByteOrder {
	case "", "big":
	case "little":
		nw.BigEndian = false
	default:
		return fmt.Errorf("proof file: byte-order %q: want big or little", f.ByteOrder)
	}
	for _, x := range []struct {
		name string
		s    string
		dst  []byte
	}{{"pre", f.Pre, nw.Pre[:]}, {"post", f.Post, nw.Post[:]}, {"state-data", f.StateData, nw.State[:]}} {
		v, err := unhex(x.s)
		if err != nil || len(v) != len(x.dst) {
			return fmt.Errorf("proof file: %s must be 0x and %d hex bytes", x.name, len(x.dst))
		}
		copy(x.dst, v)
	}
	p, err := unhex(f.ProofData)
	if err != nil || len(p) == 0 || len(p)%ProofSize != 0 {
		return fmt.Errorf("proof file: proof-data must be 0x and a multiple of %d hex bytes", ProofSize)
	}
	nw.Proofs = p
	if f.OracleKey != "" || f.OracleValue != "" || f.OracleOffset != nil {
		var o OracleRead
		k, err := unhex(f.OracleKey)
		if err != nil || len(k) != 32 {
			return errors.New("proof file: oracle-key must be 0x and 32 hex bytes")
		}
		copy(o.Key[:], k)
		if o.Value, err = unhex(f.OracleValue); err != nil || len(o.Value) < 8 ||
			binary.BigEndian.Uint64(o.Value) != uint64(len(o.Value)-8) {
			return errors.New("proof file: oracle-value must be 0x, an 8-byte big-endian length, then that many bytes")
		}
		if f.OracleOffset == nil {
			return errors.New("proof file: oracle-key without oracle-offset")
		}
		o.Offset = *f.OracleOffset
		nw.Oracle = &o
	}
	*w = nw
	return nil
}

func unhex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") {
		return nil, errors.New("missing 0x")
	}
	return hex.DecodeString(s[2:])
}
