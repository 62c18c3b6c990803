package executor

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/zkmips/zkmips/program"
)

// A snapshot is the whole state of a machine as bytes: everything it needs
// to continue exactly as the original would (CPU and FP registers, memory,
// OS and zkVM state, statistics), so a long run can be resumed, shipped or
// bisected. Layout, all integers little-endian:
//
//	"ZKMSNAP\x00" | u32 version | body | sha256(everything before)
//
// The body (version 3; version 2 kept descriptors as a list of entries,
// version 1 had no pre-image oracle state) is written
// by MarshalSnapshot field by field, in the order UnmarshalSnapshot reads
// it; byte strings and lists are prefixed by a u32 count, maps are written
// sorted by key, pages in address order, and all-zero pages are omitted,
// so equal machines give equal bytes.
//
// What is not in a snapshot is what the caller provides again: the program
// (checked against a digest), the output writers, MaxSteps, Strict and the
// pre-image Oracle (the pre-image of the current key is fetched again on
// the next read of fd 5; the key, offset and pending hint bytes are in the
// snapshot), and standard input, whose bytes must be the same (checked
// against their length and digest; the snapshot records how many were
// consumed).
// Args, Env, Seed, Inputs and NoGoPatches only shape the initial state and
// are ignored on restore.

const (
	snapMagic   = SnapshotMagic
	snapVersion = 4
)

// ErrSnapshot is wrapped by every error UnmarshalSnapshot returns for bytes
// that are not a valid snapshot.
var ErrSnapshot = errors.New("invalid snapshot")

// MarshalSnapshot encodes the machine's complete state (see snapshot.go).
// It fails for a machine stopped by an executor error and, as Clone, for
// one whose standard input is a stream other than a *bytes.Reader.
func (m *Machine) MarshalSnapshot() ([]byte, error) {
	if m.err != nil {
		return nil, fmt.Errorf("snapshot: the run stopped with an executor error: %w", m.err)
	}
	e := &snapWriter{b: make([]byte, 0, 64+m.mem.AllocatedPages()*(pageSize+4))}
	e.b = append(e.b, snapMagic...)
	e.u32(snapVersion)
	d := programDigest(m.prog)
	e.raw(d[:])
	e.bool(m.x != 0) // so that the state can be read without the program

	writeCPU(e, m)
	e.u64(m.extra)
	e.bool(m.exited)
	e.u8(m.exitCode)
	e.bool(m.fault != nil)
	if f := m.fault; f != nil {
		e.u8(uint8(f.Kind))
		e.u64(uint64(int64(f.Signal)))
		e.u32(f.PC)
		e.u64(f.Step)
		e.str(f.Inst)
		e.u32(f.Addr)
		e.str(f.Symbol)
		e.str(f.Detail)
	}
	e.u32(uint32(len(m.patched)))
	for _, s := range m.patched {
		e.str(s)
	}
	e.u32(uint32(len(m.patchWords)))
	for _, w := range m.patchWords {
		e.u32(w.Addr)
		e.u32(w.Word)
	}
	var nops uint32
	for _, n := range m.opCount {
		if n != 0 {
			nops++
		}
	}
	e.u32(nops)
	for op, n := range m.opCount {
		if n != 0 {
			e.u8(uint8(op))
			e.u64(n)
		}
	}

	// OS state.
	o := &m.os
	for _, v := range []uint32{o.tls, o.heap, o.heapEnd, o.brkStart, o.brk, o.nextTid} {
		e.u32(v)
	}
	e.u64(o.rng)
	e.u64(uint64(o.threads))
	for _, v := range o.handlers {
		e.u32(v)
	}
	for _, v := range o.hflags {
		e.u32(v)
	}
	e.countMap(o.calls)
	e.countMap(o.unknown)
	dropped := make(map[uint32]uint64, len(o.dropped))
	for k, v := range o.dropped {
		dropped[uint32(k)] = v
	}
	e.countMap(dropped)
	if err := writeStdin(e, o.stdin); err != nil {
		return nil, err
	}
	// The descriptor table: its system words.
	e.u32(o.fd.table)
	e.u32(o.fd.watch)
	for _, v := range o.fd.area {
		e.u32(v)
	}

	// Pre-image oracle registers and pending hint bytes.
	e.raw(m.pre.key[:])
	e.u32(m.pre.offset)
	e.bytes(m.pre.hint)

	// zkVM state.
	z := &m.zk
	e.u32(uint32(len(z.inputs)))
	for _, in := range z.inputs {
		e.bytes(in)
	}
	e.u64(uint64(z.next))
	e.bytes(z.public)
	e.bool(z.committed)
	for _, v := range z.digest {
		e.u32(v)
	}
	for _, v := range z.deferred {
		e.u32(v)
	}
	e.countMap(z.badFDs)
	e.bool(z.snap != nil)
	if s := z.snap; s != nil {
		writeCPU(e, s)
		e.u64(s.extra)
		e.u32(s.os.tls)
		e.u32(s.os.heap)
		e.u32(s.os.brk)
		writePages(e, s.mem)
	}

	writePages(e, m.mem)
	sum := sha256.Sum256(e.b)
	return append(e.b, sum[:]...), nil
}

// SnapshotMagic starts every snapshot (MarshalSnapshot's bytes).
const SnapshotMagic = "ZKMSNAP\x00"

// errNoProgram stops a machine that SnapshotState restored.
var errNoProgram = errors.New("snapshot restored without its program (SnapshotState): it cannot run")

// SnapshotState restores the machine of a snapshot without its program:
// registers, memory and OS state, all that the fault-proof state and its
// hash (State, Memory, SystemPage) need, but it cannot run: Err reports
// that, and running does nothing. zkmips state reads snapshot files so.
func SnapshotState(b []byte) (*Machine, error) { return UnmarshalSnapshot(nil, Config{}, b) }

// UnmarshalSnapshot rebuilds the machine a snapshot was taken of. p must
// be the program it was running and cfg.Stdin must hold the same bytes as
// the original's standard input (nil or empty if it had none); cfg's
// Stdout, Stderr, MaxSteps, Strict and Oracle apply from here on. Corrupt,
// truncated or foreign bytes give an error wrapping ErrSnapshot.
func UnmarshalSnapshot(p *program.Program, cfg Config, b []byte) (*Machine, error) {
	if len(b) < len(snapMagic)+4+sha256.Size || string(b[:len(snapMagic)]) != snapMagic {
		return nil, fmt.Errorf("%w: not a zkmips snapshot (too short or bad magic)", ErrSnapshot)
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if v := binary.LittleEndian.Uint32(b[len(snapMagic):]); v != snapVersion {
		return nil, fmt.Errorf("%w: version %d, this zkmips reads version %d", ErrSnapshot, v, snapVersion)
	}
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("%w: checksum mismatch (corrupt or truncated)", ErrSnapshot)
	}
	r := &snapReader{b: body[len(snapMagic)+4:]}
	m, err := readSnapshot(r, p, cfg)
	if err == nil && r.err == nil && len(r.b) != 0 {
		r.fail("%d bytes after the end", len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func readSnapshot(r *snapReader, p *program.Program, cfg Config) (*Machine, error) {
	digest := r.raw(32)
	bigEndian := r.bool()
	var m *Machine
	if p == nil {
		m = &Machine{cfg: cfg, mem: newMemory()}
		if bigEndian {
			m.x = 3
		}
		m.err = errNoProgram
	} else {
		if d := programDigest(p); (!bytes.Equal(digest, d[:]) || bigEndian != p.BigEndian) && r.err == nil {
			return nil, fmt.Errorf("snapshot: it was taken of a different program")
		}
		m = newBare(p, cfg)
	}
	readCPU(r, m)
	m.extra = r.u64()
	m.exited = r.bool()
	m.exitCode = r.u8()
	if r.bool() {
		f := &Fault{}
		f.Kind = FaultKind(r.u8())
		f.Signal = int(int64(r.u64()))
		f.PC = r.u32()
		f.Step = r.u64()
		f.Inst = r.str()
		f.Addr = r.u32()
		f.Symbol = r.str()
		f.Detail = r.str()
		m.fault = f
	}
	for n := r.count(4); n > 0; n-- {
		m.patched = append(m.patched, r.str())
	}
	for n := r.count(8); n > 0; n-- {
		m.patchWords = append(m.patchWords, PatchedWord{Addr: r.u32(), Word: r.u32()})
	}
	for n := r.count(9); n > 0; n-- {
		op := r.u8()
		m.opCount[op] = r.u64()
	}

	o := &m.os
	for _, v := range []*uint32{&o.tls, &o.heap, &o.heapEnd, &o.brkStart, &o.brk, &o.nextTid} {
		*v = r.u32()
	}
	o.rng = r.u64()
	threads := r.u64()
	if threads > math.MaxInt32 {
		r.fail("thread count %d", threads)
	}
	o.threads = int(threads)
	for i := range o.handlers {
		o.handlers[i] = r.u32()
	}
	for i := range o.hflags {
		o.hflags[i] = r.u32()
	}
	o.calls = r.countMap()
	o.unknown = r.countMap()
	o.dropped = map[int]uint64{}
	for k, v := range r.countMap() {
		o.dropped[int(k)] = v
	}
	stdin, err := readStdin(r, cfg.Stdin, p == nil)
	if err != nil {
		return nil, err
	}
	o.stdin = stdin
	m.cfg.Stdin = stdin
	o.fd.table, o.fd.watch = r.u32(), r.u32()
	for i := range o.fd.area {
		o.fd.area[i] = r.u32()
	}
	if err := o.fd.check(); err != nil && r.err == nil {
		r.fail("descriptor table: %v", err)
	}

	copy(m.pre.key[:], r.raw(32))
	m.pre.offset = r.u32()
	if m.pre.hint = r.bytes(); len(m.pre.hint) == 0 {
		m.pre.hint = nil
	} else if len(m.pre.hint) > maxHintBuffer {
		r.fail("%d pending hint bytes", len(m.pre.hint))
	}

	z := &m.zk
	for n := r.count(4); n > 0; n-- {
		z.inputs = append(z.inputs, r.bytes())
	}
	next := r.u64()
	if next > uint64(len(z.inputs)) {
		r.fail("input index %d of %d items", next, len(z.inputs))
	}
	z.next = int(next)
	z.public = r.bytes()
	z.committed = r.bool()
	for i := range z.digest {
		z.digest[i] = r.u32()
	}
	for i := range z.deferred {
		z.deferred[i] = r.u32()
	}
	if bad := r.countMap(); len(bad) != 0 {
		z.badFDs = bad
	}
	if r.bool() {
		s := &Machine{mem: newMemory()}
		readCPU(r, s)
		s.extra = r.u64()
		s.os.tls, s.os.heap, s.os.brk = r.u32(), r.u32(), r.u32()
		readPages(r, s.mem)
		if p != nil {
			s.code, s.codeOwned = decodeCode(s.mem, p)
		}
		z.snap = s
	}

	readPages(r, m.mem)
	if p != nil {
		m.code, m.codeOwned = decodeCode(m.mem, p)
	}
	return m, nil
}

// writeCPU and readCPU cover the registers a step reads and writes.
func writeCPU(e *snapWriter, m *Machine) {
	for _, v := range m.regs {
		e.u32(v)
	}
	for _, v := range []uint32{m.pc, m.npc, m.hi, m.lo} {
		e.u32(v)
	}
	for _, v := range m.fpr {
		e.u32(v)
	}
	e.u32(m.fcsr)
	e.u64(m.step)
}

func readCPU(r *snapReader, m *Machine) {
	for i := range m.regs {
		m.regs[i] = r.u32()
	}
	if m.regs[0] != 0 {
		r.fail("r0 is 0x%08x", m.regs[0])
	}
	m.pc, m.npc, m.hi, m.lo = r.u32(), r.u32(), r.u32(), r.u32()
	for i := range m.fpr {
		m.fpr[i] = r.u32()
	}
	m.fcsr = r.u32()
	m.step = r.u64()
}

// writePages writes the non-zero pages in address order: u32 count, then
// per page its address and 1024 words.
func writePages(e *snapWriter, mem *Memory) {
	var n uint32
	mem.ForEachPage(func(_ uint32, w *[pageWords]uint32) {
		if *w != zeroWords {
			n++
		}
	})
	e.u32(n)
	mem.ForEachPage(func(a uint32, w *[pageWords]uint32) {
		if *w == zeroWords {
			return
		}
		e.u32(a)
		for _, v := range w {
			e.u32(v)
		}
	})
}

func readPages(r *snapReader, mem *Memory) {
	prev := int64(-1)
	n := r.count(4 + pageSize)
	mem.reserve(n)
	for ; n > 0 && r.err == nil; n-- {
		a := r.u32()
		if a&(pageSize-1) != 0 || int64(a) <= prev {
			r.fail("page address 0x%08x out of order or unaligned", a)
			return
		}
		prev = int64(a)
		b := r.raw(pageSize)
		if r.err != nil {
			return
		}
		p := mem.alloc(a >> pageShift)
		for i := range p.w {
			p.w[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
		if p.w == zeroWords {
			r.fail("page 0x%08x is all zero", a)
			return
		}
		p.dirty = true
	}
}

// programDigest identifies a program: byte order, entry, code range and
// every segment's placement and contents.
func programDigest(p *program.Program) [32]byte {
	h := sha256.New()
	var b [4]byte
	put := func(v uint32) {
		binary.LittleEndian.PutUint32(b[:], v)
		h.Write(b[:])
	}
	if p.BigEndian {
		put(1)
	} else {
		put(0)
	}
	put(p.Entry)
	put(p.CodeBase)
	put(uint32(len(p.Code)))
	put(uint32(len(p.Segments)))
	for _, s := range p.Segments {
		put(s.Vaddr)
		put(s.Memsz)
		put(s.Flags)
		put(uint32(len(s.Data)))
		h.Write(s.Data)
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// writeStdin records standard input as: u8 kind (0 none, 1 bytes), u64
// total length, u64 bytes consumed, sha256 of all the bytes.
func writeStdin(e *snapWriter, in io.Reader) error {
	if in == nil {
		e.u8(0)
		return nil
	}
	br, ok := in.(*bytes.Reader)
	if !ok {
		return fmt.Errorf("snapshot: %w", ErrStdinNotClonable)
	}
	e.u8(1)
	e.u64(uint64(br.Size()))
	e.u64(uint64(br.Size() - int64(br.Len())))
	d := readerDigest(br)
	e.raw(d[:])
	return nil
}

// readStdin checks that in holds the recorded bytes and returns a reader
// positioned where the original was (a copy: the caller's is not moved).
func readStdin(r *snapReader, in io.Reader, stateOnly bool) (io.Reader, error) {
	kind := r.u8()
	if r.err != nil {
		return nil, nil
	}
	if stateOnly && kind == 1 {
		r.u64()
		r.u64()
		r.raw(32) // a machine that cannot run reads no input
		return nil, nil
	}
	if kind == 0 {
		if in != nil {
			if br, ok := in.(*bytes.Reader); !ok || br.Size() != 0 {
				return nil, fmt.Errorf("snapshot: the original machine had no standard input, but one was given")
			}
		}
		return in, nil
	}
	if kind != 1 {
		r.fail("stdin kind %d", kind)
		return nil, nil
	}
	size, off, d := r.u64(), r.u64(), r.raw(32)
	if r.err != nil {
		return nil, nil
	}
	if off > size {
		r.fail("stdin offset %d past its length %d", off, size)
		return nil, nil
	}
	br, ok := in.(*bytes.Reader)
	if in == nil && size == 0 {
		return nil, nil
	}
	if !ok {
		return nil, fmt.Errorf("snapshot: standard input must be given again as a *bytes.Reader holding the original %d bytes", size)
	}
	if got := readerDigest(br); uint64(br.Size()) != size || !bytes.Equal(got[:], d) {
		return nil, fmt.Errorf("snapshot: standard input differs from the original's (%d bytes given, %d expected, or different contents)", br.Size(), size)
	}
	c := *br
	if _, err := c.Seek(int64(off), io.SeekStart); err != nil {
		return nil, fmt.Errorf("snapshot: %v", err)
	}
	return &c, nil
}

func readerDigest(br *bytes.Reader) [32]byte {
	h := sha256.New()
	buf := make([]byte, 64<<10)
	for off := int64(0); off < br.Size(); {
		n, _ := br.ReadAt(buf, off)
		h.Write(buf[:n])
		off += int64(n)
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

type snapWriter struct{ b []byte }

func (e *snapWriter) raw(b []byte) { e.b = append(e.b, b...) }
func (e *snapWriter) u8(v uint8)   { e.b = append(e.b, v) }
func (e *snapWriter) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *snapWriter) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *snapWriter) bool(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}
func (e *snapWriter) bytes(b []byte) { e.u32(uint32(len(b))); e.raw(b) }
func (e *snapWriter) str(s string)   { e.u32(uint32(len(s))); e.b = append(e.b, s...) }

// countMap writes a map of counters sorted by key.
func (e *snapWriter) countMap(m map[uint32]uint64) {
	keys := make([]uint32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.u32(uint32(len(keys)))
	for _, k := range keys {
		e.u32(k)
		e.u64(m[k])
	}
}

// snapReader decodes a snapshot body. The first error sticks: later reads
// return zeros, so decoding code checks r.err only where it matters.
type snapReader struct {
	b   []byte
	err error
}

func (r *snapReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrSnapshot, fmt.Sprintf(format, args...))
	}
	r.b = nil
}

func (r *snapReader) raw(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.fail("truncated")
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *snapReader) u8() uint8   { return r.raw(1)[0] }
func (r *snapReader) u32() uint32 { return binary.LittleEndian.Uint32(r.raw(4)) }
func (r *snapReader) u64() uint64 { return binary.LittleEndian.Uint64(r.raw(8)) }

func (r *snapReader) bool() bool {
	switch v := r.u8(); v {
	case 0:
		return false
	case 1:
		return true
	default:
		r.fail("boolean byte %d", v)
		return false
	}
}

// count reads a list length whose elements take at least elemSize bytes,
// and rejects lengths the remaining bytes cannot hold (so a corrupt count
// never causes a huge allocation).
func (r *snapReader) count(elemSize int) int {
	n := r.u32()
	if r.err != nil {
		return 0
	}
	if uint64(n)*uint64(elemSize) > uint64(len(r.b)) {
		r.fail("list of %d elements in %d bytes", n, len(r.b))
		return 0
	}
	return int(n)
}

func (r *snapReader) bytes() []byte {
	n := r.count(1)
	return append([]byte(nil), r.raw(n)...)
}

func (r *snapReader) str() string { return string(r.raw(r.count(1))) }

func (r *snapReader) countMap() map[uint32]uint64 {
	m := map[uint32]uint64{}
	prev := int64(-1)
	for n := r.count(12); n > 0 && r.err == nil; n-- {
		k := r.u32()
		if int64(k) <= prev {
			r.fail("map keys out of order")
			break
		}
		prev = int64(k)
		m[k] = r.u64()
	}
	return m
}
