package executor

import (
	"encoding/binary"
	"fmt"

	"github.com/zkmips/zkmips/program"
)

// The pre-image oracle, guest side, as Cannon and op-program guests use it
// (REFERENCE section 4, docs/linux.md "Pre-image oracle"). Four descriptors
// are always open: the guest writes a 32-byte key to fd 6 (shifted into
// the key register), reads `u64 big-endian length || data` from fd 5 at
// the offset register, writes hints to fd 4 and reads the (empty)
// acknowledgement from fd 3. The key and offset registers are part of the
// fault-proof state; the semantics of fds 3-6 are exactly those of the
// on-chain step (docs/fault-proofs.md, proofspec).

// Oracle answers a guest's hints and pre-image requests. Package oracle
// provides a directory store and an op-program-style host process.
//
// Machines cloned for parallel tracing share their Config's Oracle, so an
// implementation must be safe for concurrent use; it may also be asked for
// the same pre-image, or be given the same hint, more than once (a clone
// replays part of a run).
type Oracle interface {
	// Hint passes one complete hint, without its 4-byte length prefix, to
	// the host. The guest sends hints before the requests they prepare.
	Hint(hint []byte) error
	// Preimage returns the data whose key is key, without the 8-byte
	// length prefix the guest reads before it.
	Preimage(key [32]byte) ([]byte, error)
}

// The guest's pre-image oracle descriptors.
const (
	// FDHintRead is read by the guest to wait for the host's acknowledgement
	// of a hint; a read returns its length without writing anything.
	FDHintRead = 3
	// FDHintWrite takes hints: u32 big-endian length || hint.
	FDHintWrite = 4
	// FDPreimageRead returns u64 big-endian length || data of the pre-image
	// of the current key, from the current offset, at most 4 bytes a read.
	FDPreimageRead = 5
	// FDPreimageWrite shifts the bytes written into the 32-byte key.
	FDPreimageWrite = 6
)

// Limits that keep a misbehaving guest or host from exhausting memory.
const (
	// MaxPreimageSize is the largest pre-image the executor accepts from
	// an oracle (its length prefix and offset must fit 32 bits).
	MaxPreimageSize = 1 << 30
	// maxHintBuffer bounds the hint bytes buffered before a hint is
	// complete.
	maxHintBuffer = 1 << 26
)

// preimageState is the oracle side of the machine: the two fault-proof
// registers, the pre-image fetched for the current key and the hint bytes
// not yet forming a complete hint.
type preimageState struct {
	key    [32]byte
	offset uint32
	// value is u64be(len) || data of the pre-image of valueKey (when
	// haveValue). It is never modified in place: clones share it.
	value     []byte
	valueKey  [32]byte
	haveValue bool
	// hint holds the bytes written to fd 4 since the last complete hint.
	hint []byte
}

// PreimageKey returns the pre-image key register.
func (m *Machine) PreimageKey() [32]byte { return m.pre.key }

// PreimageOffset returns the pre-image offset register: the position in
// u64be(len) || data of the next byte a read of fd 5 returns.
func (m *Machine) PreimageOffset() uint32 { return m.pre.offset }

// preimage returns u64be(len) || data for the current key, asking the
// oracle on the first read after a key change.
func (m *Machine) preimage() ([]byte, error) {
	p := &m.pre
	if p.haveValue && p.valueKey == p.key {
		return p.value, nil
	}
	if m.cfg.Oracle == nil {
		return nil, fmt.Errorf("the guest reads pre-image 0x%x at %s, but no pre-image oracle is configured: give --preimages DIR or a host command (--host -- CMD ARGS...)", p.key, m.where())
	}
	data, err := m.cfg.Oracle.Preimage(p.key)
	if err != nil {
		return nil, fmt.Errorf("pre-image 0x%x, read by the guest at %s: %w", p.key, m.where(), err)
	}
	if len(data) > MaxPreimageSize {
		return nil, fmt.Errorf("pre-image 0x%x, read by the guest at %s: the oracle returned %d bytes; the limit is %d", p.key, m.where(), len(data), MaxPreimageSize)
	}
	v := make([]byte, 8+len(data))
	binary.BigEndian.PutUint64(v, uint64(len(data)))
	copy(v[8:], data)
	p.value, p.valueKey, p.haveValue = v, p.key, true
	return v, nil
}

// readPreimage is read(5, buf, n) once the descriptor, n != 0 and the
// buffer range are checked: up to min(n, 4 - buf&3, 32-byte window) bytes
// of the pre-image at the offset go to buf. The word at buf&^3 is read and
// written back even when no byte is left (one proof, as Cannon).
func (m *Machine) readPreimage(buf, n uint32) int64 {
	v, err := m.preimage()
	if err != nil {
		m.stopWith(err)
		return 0
	}
	p := &m.pre
	var dat []byte
	if uint64(p.offset) < uint64(len(v)) {
		dat = v[p.offset:min(uint64(len(v)), uint64(p.offset)+32)]
	}
	k := min(uint32(len(dat)), 4-buf&3, n)
	a := buf &^ 3
	w := m.load(a)
	for i := uint32(0); i < k; i++ {
		s := m.lane(buf + i)
		w = w&^(0xff<<s) | uint32(dat[i])<<s
	}
	m.store(a, w)
	p.offset += k
	return int64(k)
}

// writePreimageKey is write(6, buf, n) once the descriptor and the buffer
// range are checked: min(n, 4 - buf&3) bytes from the word at buf&^3 are
// shifted into the key, and the offset goes back to 0.
func (m *Machine) writePreimageKey(buf, n uint32) int64 {
	if n == 0 {
		return 0
	}
	k := min(n, 4-buf&3)
	w := m.load(buf &^ 3)
	p := &m.pre
	copy(p.key[:], p.key[k:])
	for i := uint32(0); i < k; i++ {
		p.key[32-k+i] = byte(w >> m.lane(buf+i))
	}
	p.offset = 0
	return int64(k)
}

// writeHint is write(4, buf, n) once the descriptor and the buffer range
// are checked: the bytes join the pending hint bytes, every complete hint
// (u32 big-endian length || hint) goes to the oracle, and the write returns
// n. The bytes only leave the machine: their reads are logged as Output.
func (m *Machine) writeHint(buf, n uint32) int64 {
	if n == 0 {
		return 0
	}
	p := &m.pre
	if uint64(len(p.hint))+uint64(n) > maxHintBuffer {
		m.stopWith(fmt.Errorf("the guest writes a hint of more than %d bytes to fd %d at %s (buffered %d, writing %d more): hints are meant to be short requests", maxHintBuffer, FDHintWrite, m.where(), len(p.hint), n))
		return 0
	}
	m.output = true
	b := m.ReadBytes(buf, int(n))
	m.output = false
	pending := append(append(make([]byte, 0, len(p.hint)+len(b)), p.hint...), b...)
	for len(pending) >= 4 {
		l := binary.BigEndian.Uint32(pending)
		if uint64(l) > uint64(len(pending)-4) {
			break
		}
		if o := m.cfg.Oracle; o != nil {
			if err := o.Hint(pending[4 : 4+l]); err != nil {
				m.stopWith(fmt.Errorf("hint %q, written by the guest at %s: %w", shortHint(pending[4:4+l]), m.where(), err))
				return 0
			}
		}
		pending = pending[4+l:]
	}
	if len(pending) == 0 {
		pending = nil
	}
	p.hint = pending
	return int64(n)
}

// shortHint returns the start of a hint for error messages.
func shortHint(h []byte) string {
	if len(h) > 80 {
		return string(h[:80]) + "..."
	}
	return string(h)
}

// OracleRead reports, when the next step is a read of fd 5 that consults
// the pre-image oracle (a read syscall on the pre-image descriptor with a
// non-zero length and a valid buffer), the key, the whole value the read
// draws from (u64 big-endian length || data) and the offset it reads at;
// ok is false otherwise. It fetches the pre-image if the machine has not
// yet (ok is then false if the oracle fails: the step itself will stop
// the run with that error). The witness generator uses it for the
// oracle-key, oracle-value and oracle-offset fields of a step proof. The
// value must not be modified.
func (m *Machine) OracleRead() (key [32]byte, value []byte, offset uint32, ok bool) {
	if m.exited || m.err != nil || m.pc&3 != 0 || m.pc < NullLimit {
		return key, nil, 0, false
	}
	if m.instAt(m.pc).Op != program.OpSYSCALL || m.regs[2] != sysRead {
		return key, nil, 0, false
	}
	fd, buf, n := m.regs[4], m.regs[5], m.regs[6]
	if fd != FDPreimageRead || !FDOpen(m.os.fd.table, fd) || n == 0 || !guestPtr(buf, n) {
		return key, nil, 0, false
	}
	v, err := m.preimage()
	if err != nil {
		return key, nil, 0, false
	}
	return m.pre.key, v, m.pre.offset, true
}
