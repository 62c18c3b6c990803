package executor

import (
	"fmt"
)

// zkVM calls (REFERENCE.md section 6): code in v0, arguments in a0..a2,
// result in v0; a3 is left alone. Numbers outside the Linux range land here.

// zkVM call codes.
const (
	zkHalt                 = 0x00
	zkWrite                = 0x02
	zkEnterUnconstrained   = 0x03
	zkExitUnconstrained    = 0x04
	zkCommit               = 0x10
	zkCommitDeferredProofs = 0x1A
	zkHintLen              = 0xF0
	zkHintRead             = 0xF1
)

// zkCallNames names the zkVM calls, including the precompiles.
var zkCallNames = map[uint32]string{
	zkHalt: "HALT", zkWrite: "WRITE", zkEnterUnconstrained: "ENTER_UNCONSTRAINED",
	zkExitUnconstrained: "EXIT_UNCONSTRAINED", zkCommit: "COMMIT",
	zkCommitDeferredProofs: "COMMIT_DEFERRED_PROOFS", zkHintLen: "HINT_LEN", zkHintRead: "HINT_READ",
	0x30010005: "SHA_EXTEND", 0x01010006: "SHA_COMPRESS", 0x01010009: "KECCAK_SPONGE",
	0x0101000A: "SECP256K1_ADD", 0x0001000B: "SECP256K1_DOUBLE", 0x0001000C: "SECP256K1_DECOMPRESS",
	0x0101000E: "BN254_ADD", 0x0001000F: "BN254_DOUBLE", 0x0101001D: "UINT256_MUL",
	0x00010030: "POSEIDON2_PERMUTE",
}

// Guest file descriptors with zkVM meaning for WRITE.
const (
	fdPublicValues = 13
	fdHintInput    = 14
)

type zkState struct {
	inputs    [][]byte
	next      int // index of the next input item
	public    []byte
	committed bool
	digest    [8]uint32
	deferred  [8]uint32
	// snap is the state saved by ENTER_UNCONSTRAINED.
	snap *Machine
	// warnings counts WRITEs to fds with no zkVM meaning.
	badFDs map[uint32]uint64
}

// zkReturn completes a zkVM call with v0 = v.
func (m *Machine) zkReturn(v uint32) {
	m.regs[2] = v
	m.advance()
}

func (m *Machine) zkCall(num uint32) {
	z := &m.zk
	a0, a1, a2 := m.regs[4], m.regs[5], m.regs[6]
	if _, ok := zkCallNames[num]; ok {
		m.os.calls[num]++
	}
	switch num {
	case zkHalt:
		m.exit(a0)
	case zkWrite:
		if a2 != 0 && !guestPtr(a1, a2) {
			m.stopWith(fmt.Errorf("WRITE of %d bytes from invalid address 0x%08x at %s", a2, a1, m.where()))
			return
		}
		switch a0 {
		case 1, 2:
			if n := m.write(a0, a1, a2); n < 0 {
				m.stopWith(fmt.Errorf("WRITE to fd %d failed (errno %d) at %s", a0, -n, m.where()))
				return
			}
			if m.err != nil {
				return
			}
		case fdPublicValues:
			z.public = append(z.public, m.ReadBytes(a1, int(a2))...)
		case fdHintInput:
			z.inputs = append(z.inputs, m.ReadBytes(a1, int(a2)))
		default:
			if z.badFDs == nil {
				z.badFDs = map[uint32]uint64{}
			}
			z.badFDs[a0]++
		}
		m.zkReturn(0)
	case zkCommit, zkCommitDeferredProofs:
		if a0 > 7 {
			m.stopWith(fmt.Errorf("%s index %d out of range 0..7 at %s", zkCallNames[num], a0, m.where()))
			return
		}
		if num == zkCommit {
			z.digest[a0] = a1
			z.committed = true
		} else {
			z.deferred[a0] = a1
		}
		m.zkReturn(0)
	case zkHintLen:
		if z.next >= len(z.inputs) {
			m.stopWith(fmt.Errorf("guest asked for input item %d (HINT_LEN) but only %d were given (--input) at %s", z.next+1, len(z.inputs), m.where()))
			return
		}
		m.zkReturn(uint32(len(z.inputs[z.next])))
	case zkHintRead:
		if z.next >= len(z.inputs) {
			m.stopWith(fmt.Errorf("guest read input item %d (HINT_READ) but only %d were given (--input) at %s", z.next+1, len(z.inputs), m.where()))
			return
		}
		item := z.inputs[z.next]
		if a0&3 != 0 || !guestPtr(a0, a1) {
			m.stopWith(fmt.Errorf("HINT_READ into invalid buffer 0x%08x (must be 4-aligned and mapped) at %s", a0, m.where()))
			return
		}
		if int(a1) != len(item) {
			m.stopWith(fmt.Errorf("HINT_READ of %d bytes but input item %d has %d at %s", a1, z.next+1, len(item), m.where()))
			return
		}
		m.writeBytes(a0, item)
		z.next++
		m.zkReturn(0)
	case zkEnterUnconstrained:
		if z.snap != nil {
			m.stopWith(fmt.Errorf("ENTER_UNCONSTRAINED while already unconstrained at %s", m.where()))
			return
		}
		// The snapshot is the state as if the call had returned 0: restoring
		// it resumes the guest on its constrained path.
		m.regs[2] = 0
		pc, npc, step := m.pc, m.npc, m.step
		m.advance()
		z.snap = m.snapshot()
		m.pc, m.npc, m.step = pc, npc, step
		m.zkReturn(1)
	case zkExitUnconstrained:
		if z.snap == nil {
			m.stopWith(fmt.Errorf("EXIT_UNCONSTRAINED without ENTER_UNCONSTRAINED at %s", m.where()))
			return
		}
		m.restore(z.snap)
		z.snap = nil
		m.yield = true
	case zkShaExtend, zkShaCompress, zkKeccakSponge, zkSecp256k1Add, zkSecp256k1Double,
		zkSecp256k1Decompress, zkBn254Add, zkBn254Double, zkUint256Mul, zkPoseidon2Permute:
		m.precompile(num, a0, a1)
		if m.err == nil {
			m.extra += uint64(PrecompileExtraCycles(num))
			m.yield = true // let RunUntilCycle re-evaluate its limit
		}
	default:
		m.unknownSyscall(num)
	}
}

// snapshot copies the CPU, memory and OS state for EXIT_UNCONSTRAINED.
// Input pushed, output written and public values survive the restore.
func (m *Machine) snapshot() *Machine {
	s := &Machine{
		regs: m.regs, pc: m.pc, npc: m.npc, hi: m.hi, lo: m.lo, fpr: m.fpr, fcsr: m.fcsr, step: m.step, extra: m.extra,
		mem:  m.mem.clone(),
		code: m.code, // shared until written (codeOwned)
	}
	m.codeOwned = false
	s.os.tls, s.os.heap, s.os.brk = m.os.tls, m.os.heap, m.os.brk
	return s
}

func (m *Machine) restore(s *Machine) {
	m.regs, m.pc, m.npc, m.hi, m.lo, m.fpr, m.fcsr, m.step, m.extra = s.regs, s.pc, s.npc, s.hi, s.lo, s.fpr, s.fcsr, s.step, s.extra
	m.mem, m.code, m.codeOwned = s.mem, s.code, s.codeOwned
	m.os.tls, m.os.heap, m.os.brk = s.os.tls, s.os.heap, s.os.brk
}
