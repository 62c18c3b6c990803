// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The pre-image oracle the step reads fd 5 from (contracts/src/PreimageOracle.sol).
interface IPreimageOracle {
    /// @return dat    The 32 bytes at `offset` of `u64be(len) || data`, zero-padded.
    /// @return datLen How many of them belong to the stream: min(32, len + 8 - offset).
    function readPreimage(bytes32 key, uint256 offset) external view returns (bytes32 dat, uint256 datLen);
}

/// @title MIPS
/// @notice zkmips single-step verifier: executes exactly one step of the zkmips MIPS32r2 executor
/// (executor/run.go, executor/linux.go) on a 226-byte Cannon-compatible state and returns the
/// post-state hash (OP Stack IBigStepper).
///
/// Spec: docs/fault-proofs.md. In short:
/// - state (big-endian fields): memRoot 0, preimageKey 32, preimageOffset 64, pc 68, nextPC 72,
///   lo 76, hi 80, heap 84, exitCode 88, exited 89, step 90 (u64), r0..r31 98;
/// - state hash = keccak256(state) with byte 0 replaced by the VM status (0 exited with code 0,
///   1 exited with code 1, 2 exited otherwise, 3 running);
/// - proof data = 896-byte memory proofs (leaf, 27 siblings bottom-up): #0 the instruction word
///   at pc against the pre-state root; #1..#k one per distinct aligned data word in the order
///   the step first touches it, proof #i valid against the root in which the words of proofs
///   #1..#(i-1) already hold their post-step values; a step that touches no data word carries
///   one extra proof of the word at pc (normally a copy of #0).
///
/// Word values follow the executor: a word is the value a LW reads, stored big-endian in the
/// leaf for a big-endian guest and little-endian for a little-endian one (constructor flag).
/// Sub-word accesses pick a byte lane as the executor does, with lane = ((a & 3) ^ x) * 8 and
/// x = 3 (big-endian) or 0 (little-endian).
///
/// The OS state the 226 bytes lack lives in memory page 0, which guest loads and stores can never
/// reach ("system words", covered by memRoot like all memory; docs/fault-proofs.md): FP
/// register i at 0x100 + 4i, FCSR 0x180, the TLS pointer 0x184, brk 0x188, the next thread id
/// 0x18c, the getrandom stream 0x190 (low) and 0x194 (high), per signal s sa_handler at
/// 0x200 + 8s and sa_flags at 0x204 + 8s, and the descriptor table (0x198, 0x19c, 0x608 up to
/// the end of the page: headers, eventfd counters, pipes, the epoll interest list, pipe buffers).
/// A step touching system words touches them first, in ascending address order, before any
/// guest memory word.
///
/// Steps the executor cannot take from the state and memory alone revert with a reason (zkVM
/// calls, FP arithmetic and other instructions the executor refuses with an error, a futex wait
/// or blocking I/O that would deadlock).
///
/// Implementation: one assembly block; the state is copied to memory at STATE and fields are
/// patched in place; data words live in a tiny cache (one 32-byte entry `addr << 32 | value`
/// per distinct word) and are committed into the memory root once, at the end of the step.
contract MIPS {
    /// @notice The pre-image oracle (fd 5 reads).
    IPreimageOracle public immutable oracle;
    /// @notice Byte order of the guests this deployment verifies.
    bool public immutable bigEndian;

    // ---- Memory layout of the step (absolute addresses; Solidity memory is never used) ----
    // 0x00..0x7f: hashing scratch (two node pairs), oracle call, revert data.
    uint256 private constant STATE = 0x80; // the 226-byte state, patched in place
    uint256 private constant S_KEY = 0xa0;
    uint256 private constant S_POFF = 0xc0;
    uint256 private constant S_PC = 0xc4;
    uint256 private constant S_NPC = 0xc8;
    uint256 private constant S_LO = 0xcc;
    uint256 private constant S_HI = 0xd0;
    uint256 private constant S_HEAP = 0xd4;
    uint256 private constant S_EXITCODE = 0xd8;
    uint256 private constant S_EXITED = 0xd9;
    uint256 private constant S_STEP = 0xda;
    uint256 private constant S_REGS = 0xe2;
    // 0x162..0x17f: zero padding (32-byte windows over the last fields stay inside it)
    uint256 private constant M_CNT = 0x180; // data words touched so far
    uint256 private constant M_FILTER = 0x1a0; // 256-bit filter of touched words: bit (addr >> 2) & 255
    uint256 private constant M_NDATA = 0x1c0; // data proofs in the calldata
    uint256 private constant M_BE = 0x1e0; // 1 for big-endian guests
    uint256 private constant M_CACHE = 0x200; // cache entries: addr << 32 | value

    // ---- System words: the OS state in memory page 0 ----
    uint256 private constant SYS_FPR = 0x100; // + 4 * i
    uint256 private constant SYS_FCSR = 0x180;
    uint256 private constant SYS_TLS = 0x184;
    uint256 private constant SYS_BRK = 0x188;
    uint256 private constant SYS_NEXTTID = 0x18c;
    uint256 private constant SYS_RNG_LO = 0x190;
    uint256 private constant SYS_RNG_HI = 0x194;
    uint256 private constant SYS_SIG = 0x200; // + 8 * sig: sa_handler, then sa_flags
    uint256 private constant SYS_SIGPIPE = 0x268; // SYS_SIG + 8 * 13: SIGPIPE's handler
    // The descriptor table (executor/fd.go): every lookup chain goes to higher addresses.
    uint256 private constant SYS_FDT = 0x198; // closed initial fds, open slots, epoll slot, pipes in use
    uint256 private constant SYS_WATCH = 0x19c; // the epoll interest set, bit d per descriptor
    uint256 private constant SYS_SLOT = 0x608; // + 4 * slot: kind, pipe and flags
    uint256 private constant SYS_EVC = 0x648; // + 8 * slot: eventfd counter, low then high
    uint256 private constant SYS_PIPE = 0x6c8; // + 4 * pipe: read position, count, open ends
    uint256 private constant SYS_EPOLL = 0x6d8; // + 12 * d: events, data (two words)
    uint256 private constant SYS_PIPEBUF = 0x800; // + 512 * pipe: the ring buffer

    // ---- Calldata layout (canonical ABI encoding, required) ----
    uint256 private constant CD_STATE = 132;
    uint256 private constant CD_PROOF = 420;
    uint256 private constant PROOF_SIZE = 896;

    /// @param oracle_    The pre-image oracle read by fd 5.
    /// @param bigEndian_ True for big-endian (mips) guests, false for little-endian (mipsle).
    constructor(IPreimageOracle oracle_, bool bigEndian_) {
        oracle = oracle_;
        bigEndian = bigEndian_;
    }

    /// @notice Executes one step of the zkmips executor.
    /// @param stateData    The 226-byte pre-state (must be the first dynamic argument, at calldata
    ///                     offset 132, and the proof the second, at 420: canonical encoding).
    /// @param proof        Memory proofs: #0 the instruction, then the data words (see above).
    /// @param localContext Context under which local (type 1) pre-image keys are localized.
    /// @return postState   The post-state hash (the pre-state hash if the pre-state has exited).
    function step(bytes calldata stateData, bytes calldata proof, bytes32 localContext)
        external
        returns (bytes32 postState)
    {
        uint256 be = bigEndian ? 1 : 0;
        address orc = address(oracle);
        assembly {
            // ================= helpers: errors =================

            // Reverts with Error(string) of up to 64 bytes given as two left-aligned words.
            function fail(len, s1, s2) {
                mstore(0, shl(224, 0x08c379a0))
                mstore(4, 0x20)
                mstore(0x24, len)
                mstore(0x44, s1)
                mstore(0x64, s2)
                revert(0, 0x84)
            }
            function failUnsupported() {
                // The executor stops with an error (FP arithmetic, COP0, DSP, jalx, sdbbp).
                fail(29, "MIPS: unsupported instruction", 0)
            }

            // ================= helpers: state fields =================

            // A 32-bit field at memory address o (big-endian, as in the state).
            function rd32(o) -> v {
                v := shr(224, mload(o))
            }
            function wr32(o, v) {
                mstore(o, or(and(mload(o), 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff), shl(224, v)))
            }
            function reg(i) -> v {
                v := shr(224, mload(add(S_REGS, shl(2, i))))
            }
            // Writes to r0 are kept until the instruction ends; the step then clears r0, as the
            // executor's loop does (syscalls never write it).
            function setReg(i, v) {
                wr32(add(S_REGS, shl(2, i)), v)
            }
            function getStep() -> s {
                s := shr(192, mload(S_STEP))
            }
            function bswap32(v) -> r {
                r := or(or(shl(24, and(v, 0xff)), shl(8, and(v, 0xff00))), or(and(shr(8, v), 0xff00), shr(24, v)))
            }
            // The state's status byte, which replaces byte 0 of its hash.
            function stateHash() -> h {
                h := keccak256(STATE, 226)
                let status := 3
                if byte(0, mload(S_EXITED)) {
                    status := 2
                    let code := byte(0, mload(S_EXITCODE))
                    if lt(code, 2) { status := code }
                }
                h := or(and(h, 0x00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff), shl(248, status))
            }

            // ================= helpers: memory words =================

            // The word at the aligned address a inside a leaf, as the guest's value.
            function leafWord(leaf, a) -> v {
                v := shr(224, shl(shl(3, and(a, 28)), leaf))
                if iszero(mload(M_BE)) { v := bswap32(v) }
            }
            // Root of the path from node (the leaf of address a) up with the proof's siblings.
            function pathRoot(p, a, node) -> r {
                a := shr(5, a)
                let end := add(p, PROOF_SIZE)
                for { p := add(p, 32) } lt(p, end) { p := add(p, 32) } {
                    let o := shl(5, and(a, 1))
                    mstore(o, node)
                    mstore(xor(o, 0x20), calldataload(p))
                    node := keccak256(0, 0x40)
                    a := shr(1, a)
                }
                r := node
            }
            // Both roots at once: the leaf as proven and the leaf after the step.
            function pathRoot2(p, a, n1, n2) -> r1, r2 {
                a := shr(5, a)
                let end := add(p, PROOF_SIZE)
                for { p := add(p, 32) } lt(p, end) { p := add(p, 32) } {
                    let o := shl(5, and(a, 1))
                    let s := calldataload(p)
                    mstore(o, n1)
                    mstore(xor(o, 0x20), s)
                    mstore(add(o, 0x40), n2)
                    mstore(xor(o, 0x60), s)
                    n1 := keccak256(0, 0x40)
                    n2 := keccak256(0x40, 0x40)
                    a := shr(1, a)
                }
                r1 := n1
                r2 := n2
            }
            // Pointer to the cache entry of the aligned word a. A word's first access takes the
            // next data proof and reads the word's pre-step value from its leaf; the proof itself
            // is checked when the step commits.
            function slot(a) -> ptr {
                let n := mload(M_CNT)
                if n {
                    // Consecutive accesses to one word (byte-wise syscall stores) hit here.
                    ptr := add(M_CACHE, shl(5, sub(n, 1)))
                    if eq(shr(32, mload(ptr)), a) { leave }
                }
                let bit := shl(and(shr(2, a), 0xff), 1)
                let f := mload(M_FILTER)
                if and(f, bit) {
                    let end := add(M_CACHE, shl(5, n))
                    for { ptr := M_CACHE } lt(ptr, end) { ptr := add(ptr, 0x20) } {
                        if eq(shr(32, mload(ptr)), a) { leave }
                    }
                }
                mstore(M_FILTER, or(f, bit))
                if iszero(lt(n, mload(M_NDATA))) { fail(26, "MIPS: missing memory proof", 0) }
                let v := leafWord(calldataload(add(CD_PROOF, mul(add(n, 1), PROOF_SIZE))), a)
                ptr := add(M_CACHE, shl(5, n))
                mstore(ptr, or(shl(32, a), v))
                mstore(M_CNT, add(n, 1))
            }
            // A cache entry for a word the step has not touched before (the caller's semantics
            // guarantee it), written without a lookup; its pre-step value is not needed.
            function appendWord(a, v) {
                let n := mload(M_CNT)
                if iszero(lt(n, mload(M_NDATA))) { fail(26, "MIPS: missing memory proof", 0) }
                mstore(add(M_CACHE, shl(5, n)), or(shl(32, a), v))
                mstore(M_CNT, add(n, 1))
                mstore(M_FILTER, or(mload(M_FILTER), shl(and(shr(2, a), 0xff), 1)))
            }
            function readMem(a) -> v {
                v := and(mload(slot(a)), 0xffffffff)
            }
            function writeMem(a, v) {
                let ptr := slot(a)
                mstore(ptr, or(shl(32, a), v))
            }
            // Byte lane (bit offset) of address a within its word.
            function lane(a) -> s {
                s := shl(3, xor(and(a, 3), mul(3, mload(M_BE))))
            }
            // Bit offset of the halfword holding a within its word: ((a & 2) ^ (x & 2)) * 8.
            function lane16(a) -> s {
                s := shl(3, xor(and(a, 2), shl(1, mload(M_BE))))
            }
            // StoreByte: read-modify-write of the word holding a. A syscall's store into the null
            // page (those without a range check) is proven but leaves the word as it is: the tree's
            // page 0 holds the system words, which only their own syscalls change.
            function storeByte(a, b) {
                let ptr := slot(and(a, 0xfffffffc))
                if lt(a, 0x1000) { leave }
                let s := lane(a)
                let e := mload(ptr)
                mstore(ptr, or(and(e, not(shl(s, 0xff))), shl(s, b)))
            }
            function loadByte(a) -> b {
                b := and(shr(lane(a), readMem(and(a, 0xfffffffc))), 0xff)
            }
            // One word of putWords: aligned as a word, misaligned byte by byte (most significant
            // byte first in big-endian guests). at may wrap around 2^32 as in the executor.
            function putWord(at, w) {
                at := and(at, 0xffffffff)
                switch and(at, 3)
                case 0 {
                    let ptr := slot(at)
                    if iszero(lt(at, 0x1000)) { mstore(ptr, or(shl(32, at), w)) } // see storeByte
                }
                default {
                    let x := mul(3, mload(M_BE))
                    for { let k := 0 } lt(k, 4) { k := add(k, 1) } {
                        storeByte(and(add(at, k), 0xffffffff), and(shr(shl(3, xor(k, x)), w), 0xff))
                    }
                }
            }
            // getWord: aligned as a word, misaligned byte by byte.
            function getWord(a) -> w {
                a := and(a, 0xffffffff)
                switch and(a, 3)
                case 0 { w := readMem(a) }
                default {
                    let x := mul(3, mload(M_BE))
                    for { let k := 0 } lt(k, 4) { k := add(k, 1) } {
                        w := or(w, shl(shl(3, xor(k, x)), loadByte(and(add(a, k), 0xffffffff))))
                    }
                }
            }
            // guestPtr: [a, a+n) lies above the null page and below 2^32.
            function guestPtr(a, n) -> ok {
                ok := and(iszero(lt(a, 0x1000)), iszero(gt(add(a, n), 0x100000000)))
            }

            // ================= commit =================

            // The leaf with the cache entry e's word (addr << 32 | value) patched in.
            function patchLeaf(leaf, e) -> r {
                let v := and(e, 0xffffffff)
                if iszero(mload(M_BE)) { v := bswap32(v) }
                let sh := shl(3, and(shr(32, e), 28))
                r := or(and(leaf, not(shr(sh, shl(224, 0xffffffff)))), shr(sh, shl(224, v)))
            }

            // Verifies the data proofs in order against the running root, patching each word's
            // final value into its leaf; returns the post-step memory root.
            //
            // Words sharing a leaf have consecutive proofs when a syscall writes a buffer. For
            // such a run, proof #k (k > first) is valid against the running root exactly when
            // it has the first proof's siblings and, as leaf, the first proof's leaf with the
            // run's earlier words patched in (the path above the leaf is the same, so a different
            // valid proof would be a keccak collision): it is checked that way, and the path is
            // hashed twice per run instead of twice per word.
            function commit(root, pc_) -> r {
                let n := mload(M_CNT)
                if iszero(n) {
                    // No data word: exactly one data proof, of the word at pc against the root.
                    if iszero(eq(mload(M_NDATA), 1)) { fail(35, "MIPS: wrong number of memory pro", "ofs") }
                    let p := add(CD_PROOF, PROOF_SIZE)
                    // A copy of proof #0 (already verified) needs no hashing of its path.
                    calldatacopy(M_CACHE, CD_PROOF, mul(2, PROOF_SIZE))
                    if iszero(eq(keccak256(M_CACHE, PROOF_SIZE), keccak256(add(M_CACHE, PROOF_SIZE), PROOF_SIZE))) {
                        if iszero(eq(pathRoot(p, pc_, calldataload(p)), root)) {
                            fail(26, "MIPS: invalid memory proof", 0)
                        }
                    }
                    r := root
                    leave
                }
                if iszero(eq(mload(M_NDATA), n)) { fail(35, "MIPS: wrong number of memory pro", "ofs") }
                let scratch := add(M_CACHE, shl(5, n)) // free memory past the cache
                for { let i := 0 } lt(i, n) {} {
                    let e := mload(add(M_CACHE, shl(5, i)))
                    let a := shr(32, e)
                    let p := add(CD_PROOF, mul(add(i, 1), PROOF_SIZE))
                    let leaf := calldataload(p)
                    let cur := patchLeaf(leaf, e)
                    // The run of words in this leaf: entries i .. j-1.
                    let j := add(i, 1)
                    if lt(j, n) {
                        for {} and(lt(j, n), eq(shr(37, mload(add(M_CACHE, shl(5, j)))), shr(5, a))) {} {
                            j := add(j, 1)
                        }
                    }
                    switch eq(j, add(i, 1))
                    case 1 {
                        // One word: verify the path and, if the word changed, rehash it.
                        switch eq(leaf, cur)
                        case 1 {
                            if iszero(eq(pathRoot(p, a, leaf), root)) { fail(26, "MIPS: invalid memory proof", 0) }
                        }
                        default {
                            let r1, r2 := pathRoot2(p, a, leaf, cur)
                            if iszero(eq(r1, root)) { fail(26, "MIPS: invalid memory proof", 0) }
                            root := r2
                        }
                    }
                    default {
                        if iszero(eq(pathRoot(p, a, leaf), root)) { fail(26, "MIPS: invalid memory proof", 0) }
                        calldatacopy(scratch, add(p, 32), sub(PROOF_SIZE, 32))
                        let sibs := keccak256(scratch, sub(PROOF_SIZE, 32))
                        for { let k := add(i, 1) } lt(k, j) { k := add(k, 1) } {
                            let q := add(CD_PROOF, mul(add(k, 1), PROOF_SIZE))
                            calldatacopy(scratch, add(q, 32), sub(PROOF_SIZE, 32))
                            if iszero(and(eq(calldataload(q), cur), eq(keccak256(scratch, sub(PROOF_SIZE, 32)), sibs))) {
                                fail(26, "MIPS: invalid memory proof", 0)
                            }
                            cur := patchLeaf(cur, mload(add(M_CACHE, shl(5, k))))
                        }
                        if iszero(eq(cur, leaf)) { root := pathRoot(p, a, cur) }
                    }
                    i := j
                }
                r := root
            }

            // ================= instructions (executor/run.go) =================

            // Bits 31..0 of clz.
            function clz32(x) -> n {
                if iszero(x) {
                    n := 32
                    leave
                }
                if iszero(and(x, 0xffff0000)) {
                    n := 16
                    x := shl(16, x)
                }
                if iszero(and(x, 0xff000000)) {
                    n := add(n, 8)
                    x := shl(8, x)
                }
                if iszero(and(x, 0xf0000000)) {
                    n := add(n, 4)
                    x := shl(4, x)
                }
                if iszero(and(x, 0xc0000000)) {
                    n := add(n, 2)
                    x := shl(2, x)
                }
                if iszero(and(x, 0x80000000)) { n := add(n, 1) }
            }
            // Signal of a taken trap or break: SIGFPE for gcc's overflow (6) and divide-by-zero
            // (7) codes, SIGTRAP otherwise.
            function trapSignal(code) -> sig {
                sig := 5
                if or(eq(code, 6), eq(code, 7)) { sig := 8 }
            }
            // Branch and jump target of a PC-relative branch.
            function branchTarget(insn, pc_) -> t {
                t := and(add(add(pc_, 4), shl(2, signextend(1, and(insn, 0xffff)))), 0xffffffff)
            }

            // Executes a non-syscall instruction. Returns the fault signal (0: none) and, without
            // a fault, the new pc and nextPC.
            function execute(insn, pc_, npc) -> sig, npc2, nnpc {
                npc2 := npc
                nnpc := and(add(npc, 4), 0xffffffff)
                let op := shr(26, insn)
                let rs := and(shr(21, insn), 31)
                let rt := and(shr(16, insn), 31)
                switch shr(3, op)
                case 1 {
                    // 8..15: immediate ALU
                    let a := reg(rs)
                    let imm := and(insn, 0xffff)
                    let v := 0
                    switch op
                    case 9 { v := and(add(a, signextend(1, imm)), 0xffffffff) } // addiu
                    case 15 { v := shl(16, imm) } // lui
                    case 13 { v := or(a, imm) } // ori
                    case 12 { v := and(a, imm) } // andi
                    case 11 { v := lt(a, and(signextend(1, imm), 0xffffffff)) } // sltiu
                    case 10 { v := slt(signextend(3, a), signextend(1, imm)) } // slti
                    case 14 { v := xor(a, imm) } // xori
                    default {
                        // addi: overflow traps
                        let b := and(signextend(1, imm), 0xffffffff)
                        v := and(add(a, b), 0xffffffff)
                        if and(and(xor(a, v), xor(b, v)), 0x80000000) {
                            sig := 8
                            leave
                        }
                    }
                    setReg(rt, v)
                }
                case 4 { sig := load(insn, op, rs, rt) } // 32..39: loads
                case 0 {
                    // 0..7: SPECIAL, REGIMM, j, jal, beq, bne, blez, bgtz
                    switch op
                    case 0 { sig, nnpc := special(insn, rs, rt, pc_, npc) } // SPECIAL (syscall: the caller)
                    case 1 { sig, npc2, nnpc := regimm(insn, rs, rt, pc_, npc) } // REGIMM
                    case 2 {
                        // j
                        if iszero(eq(npc, and(add(pc_, 4), 0xffffffff))) {
                            sig := 4
                            leave
                        }
                        nnpc := or(and(add(pc_, 4), 0xf0000000), shl(2, and(insn, 0x3ffffff)))
                    }
                    case 3 {
                        // jal
                        if iszero(eq(npc, and(add(pc_, 4), 0xffffffff))) {
                            sig := 4
                            leave
                        }
                        nnpc := or(and(add(pc_, 4), 0xf0000000), shl(2, and(insn, 0x3ffffff)))
                        setReg(31, and(add(pc_, 8), 0xffffffff))
                    }
                    default {
                        // 4..7: beq bne blez bgtz (blez/bgtz need rt = 0)
                        sig, npc2, nnpc := branch(insn, op, rs, rt, pc_, npc, 0)
                    }
                }
                case 5 {
                    // 40..47: stores (44, 45 reserved; 47 cache is a no-op)
                    switch op
                    case 47 {}
                    case 44 { sig := 4 }
                    case 45 { sig := 4 }
                    default { sig := store(insn, op, rs, rt) }
                }
                case 2 {
                    // 16..23: COP0 COP1 COP2 COP1X beql bnel blezl bgtzl
                    switch op
                    case 16 { failUnsupported() } // COP0
                    case 17 { sig, npc2, nnpc := cop1(insn, rs, rt, pc_, npc) } // COP1
                    case 18 { sig := 4 } // COP2
                    case 19 { failUnsupported() } // COP1X
                    default { sig, npc2, nnpc := branch(insn, sub(op, 16), rs, rt, pc_, npc, 1) }
                }
                case 3 {
                    // 24..31: SPECIAL2 (28), jalx (29), SPECIAL3 (31)
                    switch op
                    case 28 { sig := special2(insn, rs, rt) }
                    case 31 { sig := special3(insn, rs, rt) }
                    case 29 { failUnsupported() }
                    default { sig := 4 }
                }
                case 6 {
                    // 48..55: ll (48) lwc1 (49) pref (51) ldc1 (53); 50, 52, 54, 55 reserved
                    switch op
                    case 48 { sig := load(insn, op, rs, rt) } // ll
                    case 51 {} // pref
                    case 49 { sig := fpMem(insn, op, rs, rt) } // lwc1
                    case 53 { sig := fpMem(insn, op, rs, rt) } // ldc1
                    default { sig := 4 }
                }
                default {
                    // 56..63: sc (56) swc1 (57) sdc1 (61); the others reserved
                    switch op
                    case 56 { sig := store(insn, op, rs, rt) }
                    case 57 { sig := fpMem(insn, op, rs, rt) } // swc1
                    case 61 { sig := fpMem(insn, op, rs, rt) } // sdc1
                    default { sig := 4 }
                }
            }

            // Loads (and ll): the word is accessed, and proven, even when the access faults.
            function load(insn, op, rs, rt) -> sig {
                // 32..39 (39 is reserved and touches no memory), 48 ll
                if eq(op, 39) {
                    sig := 4
                    leave
                }
                if eq(op, 48) { op := 35 } // ll is lw (the link is never broken)
                let a := and(add(reg(rs), signextend(1, and(insn, 0xffff))), 0xffffffff)
                // The word is accessed (and proven) even when the access faults.
                let w := readMem(and(a, 0xfffffffc))
                let low := lt(a, 0x1000)
                let v := 0
                switch op
                case 35 {
                    // lw (and ll, below)
                    if and(a, 3) {
                        sig := 10
                        leave
                    }
                    if low {
                        sig := 11
                        leave
                    }
                    v := w
                }
                case 36 {
                    // lbu
                    if low {
                        sig := 11
                        leave
                    }
                    v := and(shr(lane(a), w), 0xff)
                }
                case 32 {
                    // lb
                    if low {
                        sig := 11
                        leave
                    }
                    v := and(signextend(0, shr(lane(a), w)), 0xffffffff)
                }
                case 37 {
                    // lhu
                    if and(a, 1) {
                        sig := 10
                        leave
                    }
                    if low {
                        sig := 11
                        leave
                    }
                    v := and(shr(lane16(a), w), 0xffff)
                }
                case 33 {
                    // lh
                    if and(a, 1) {
                        sig := 10
                        leave
                    }
                    if low {
                        sig := 11
                        leave
                    }
                    v := and(signextend(1, shr(lane16(a), w)), 0xffffffff)
                }
                case 34 {
                    // lwl: s = 24 - lane; r = w << s | r & (1 << s - 1)
                    if low {
                        sig := 11
                        leave
                    }
                    let s := sub(24, lane(a))
                    v := and(or(shl(s, w), and(reg(rt), sub(shl(s, 1), 1))), 0xffffffff)
                }
                default {
                    // 38 lwr: s = lane; r = w >> s | r &^ (0xffffffff >> s)
                    if low {
                        sig := 11
                        leave
                    }
                    let s := lane(a)
                    v := or(shr(s, w), and(reg(rt), not(shr(s, 0xffffffff))))
                    v := and(v, 0xffffffff)
                }
                setReg(rt, v)
            }

            // SPECIAL by function field (syscall excepted). Returns the fault and nextPC's successor.
            function special(insn, rs, rt, pc_, npc) -> sig, nnpc {
                nnpc := and(add(npc, 4), 0xffffffff)
                // SPECIAL (syscall is handled by the caller)
                let fn := and(insn, 63)
                let rd := and(shr(11, insn), 31)
                switch shr(3, fn)
                case 4 {
                    // 32..39
                    let a := reg(rs)
                    let b := reg(rt)
                    let v := 0
                    switch fn
                    case 33 { v := and(add(a, b), 0xffffffff) } // addu
                    case 37 { v := or(a, b) } // or
                    case 36 { v := and(a, b) } // and
                    case 35 { v := and(sub(a, b), 0xffffffff) } // subu
                    case 38 { v := xor(a, b) } // xor
                    case 39 { v := and(not(or(a, b)), 0xffffffff) } // nor
                    case 32 {
                        // add
                        v := and(add(a, b), 0xffffffff)
                        if and(and(xor(a, v), xor(b, v)), 0x80000000) {
                            sig := 8
                            leave
                        }
                    }
                    default {
                        // 34 sub
                        v := and(sub(a, b), 0xffffffff)
                        if and(and(xor(a, b), xor(a, v)), 0x80000000) {
                            sig := 8
                            leave
                        }
                    }
                    setReg(rd, v)
                }
                case 0 {
                    // 0..7: shifts (1 is movf/movt)
                    let sa := and(shr(6, insn), 31)
                    let b := reg(rt)
                    let v := 0
                    switch fn
                    case 0 { v := and(shl(sa, b), 0xffffffff) } // sll
                    case 2 {
                        switch rs
                        case 0 { v := shr(sa, b) } // srl
                        case 1 { v := and(or(shr(sa, b), shl(sub(32, sa), b)), 0xffffffff) } // rotr
                        default {
                            sig := 4
                            leave
                        }
                    }
                    case 3 { v := and(sar(sa, signextend(3, b)), 0xffffffff) } // sra
                    case 4 { v := and(shl(and(reg(rs), 31), b), 0xffffffff) } // sllv
                    case 6 {
                        let s := and(reg(rs), 31)
                        switch sa
                        case 0 { v := shr(s, b) } // srlv
                        case 1 { v := and(or(shr(s, b), shl(sub(32, s), b)), 0xffffffff) } // rotrv
                        default {
                            sig := 4
                            leave
                        }
                    }
                    case 7 { v := and(sar(and(reg(rs), 31), signextend(3, b)), 0xffffffff) } // srav
                    case 1 {
                        // movf, movt: rd = rs when condition code cc (bits 20..18) is tf (bit 16)
                        if iszero(eq(fcc(readMem(SYS_FCSR), and(shr(18, insn), 7)), and(shr(16, insn), 1))) { leave }
                        v := reg(rs)
                    }
                    default {
                        sig := 4
                        leave
                    }
                    setReg(rd, v)
                }
                case 1 {
                    // 8..15: jr jalr movz movn (syscall) break (14) sync
                    switch fn
                    case 8 {
                        // jr (and jr.hb)
                        if iszero(eq(npc, and(add(pc_, 4), 0xffffffff))) {
                            sig := 4
                            leave
                        }
                        nnpc := reg(rs)
                    }
                    case 9 {
                        // jalr (and jalr.hb): the target is read before the link is written
                        if iszero(eq(npc, and(add(pc_, 4), 0xffffffff))) {
                            sig := 4
                            leave
                        }
                        nnpc := reg(rs)
                        setReg(rd, and(add(pc_, 8), 0xffffffff))
                    }
                    case 10 { if iszero(reg(rt)) { setReg(rd, reg(rs)) } } // movz
                    case 11 { if reg(rt) { setReg(rd, reg(rs)) } } // movn
                    case 13 {
                        // break: Linux swaps the two 10-bit halves of a 20-bit code
                        let code := and(shr(6, insn), 0xfffff)
                        if iszero(lt(code, 1024)) { code := or(shl(10, and(code, 0x3ff)), shr(10, code)) }
                        sig := trapSignal(code)
                        leave
                    }
                    case 15 {} // sync
                    default {
                        sig := 4
                        leave
                    }
                }
                case 5 {
                    // 40..47: slt sltu
                    switch fn
                    case 43 { setReg(rd, lt(reg(rs), reg(rt))) }
                    case 42 { setReg(rd, slt(signextend(3, reg(rs)), signextend(3, reg(rt)))) }
                    default {
                        sig := 4
                        leave
                    }
                }
                case 2 {
                    // 16..23: mfhi mthi mflo mtlo
                    switch fn
                    case 16 { setReg(rd, rd32(S_HI)) }
                    case 17 { wr32(S_HI, reg(rs)) }
                    case 18 { setReg(rd, rd32(S_LO)) }
                    case 19 { wr32(S_LO, reg(rs)) }
                    default {
                        sig := 4
                        leave
                    }
                }
                case 3 {
                    // 24..31: mult multu div divu
                    let a := reg(rs)
                    let b := reg(rt)
                    switch fn
                    case 24 {
                        let p := mul(signextend(3, a), signextend(3, b))
                        wr32(S_HI, and(shr(32, p), 0xffffffff))
                        wr32(S_LO, and(p, 0xffffffff))
                    }
                    case 25 {
                        let p := mul(a, b)
                        wr32(S_HI, shr(32, p))
                        wr32(S_LO, and(p, 0xffffffff))
                    }
                    case 26 {
                        // div: by zero gives lo = rs, hi = 0 (the executor's choice, as qemu);
                        // MinInt32 / -1 wraps to MinInt32 remainder 0
                        switch b
                        case 0 {
                            wr32(S_LO, a)
                            wr32(S_HI, 0)
                        }
                        default {
                            wr32(S_LO, and(sdiv(signextend(3, a), signextend(3, b)), 0xffffffff))
                            wr32(S_HI, and(smod(signextend(3, a), signextend(3, b)), 0xffffffff))
                        }
                    }
                    case 27 {
                        // divu: by zero as div
                        switch b
                        case 0 {
                            wr32(S_LO, a)
                            wr32(S_HI, 0)
                        }
                        default {
                            wr32(S_LO, div(a, b))
                            wr32(S_HI, mod(a, b))
                        }
                    }
                    default {
                        sig := 4
                        leave
                    }
                }
                case 6 {
                    // 48..55: tge tgeu tlt tltu teq (53) tne
                    let a := reg(rs)
                    let b := reg(rt)
                    let taken := 0
                    switch fn
                    case 48 { taken := iszero(slt(signextend(3, a), signextend(3, b))) }
                    case 49 { taken := iszero(lt(a, b)) }
                    case 50 { taken := slt(signextend(3, a), signextend(3, b)) }
                    case 51 { taken := lt(a, b) }
                    case 52 { taken := eq(a, b) }
                    case 54 { taken := iszero(eq(a, b)) }
                    default {
                        sig := 4
                        leave
                    }
                    if taken {
                        sig := trapSignal(and(shr(6, insn), 0x3ff))
                        leave
                    }
                }
                default {
                    sig := 4
                    leave
                }
            }

            // REGIMM, by rt: bltz bgez bltzl bgezl (0..3), traps (8..12, 14), the linking
            // branches (16..19), synci (31, a no-op).
            function regimm(insn, rs, rt, pc_, npc) -> sig, npc2, nnpc {
                npc2 := npc
                nnpc := and(add(npc, 4), 0xffffffff)
                switch shr(2, rt)
                case 0 { sig, npc2, nnpc := regimmBranch(insn, rs, rt, pc_, npc) }
                case 4 { sig, npc2, nnpc := regimmBranch(insn, rs, rt, pc_, npc) }
                case 2 {
                    // 8..11: tgei tgeiu tlti tltiu (no code: SIGTRAP)
                    let a := reg(rs)
                    let b := and(signextend(1, and(insn, 0xffff)), 0xffffffff)
                    let taken := 0
                    switch rt
                    case 8 { taken := iszero(slt(signextend(3, a), signextend(3, b))) }
                    case 9 { taken := iszero(lt(a, b)) }
                    case 10 { taken := slt(signextend(3, a), signextend(3, b)) }
                    default { taken := lt(a, b) }
                    if taken { sig := 5 }
                }
                case 3 {
                    // 12 teqi, 14 tnei (13, 15 reserved)
                    let a := reg(rs)
                    let b := and(signextend(1, and(insn, 0xffff)), 0xffffffff)
                    switch rt
                    case 12 { if eq(a, b) { sig := 5 } }
                    case 14 { if iszero(eq(a, b)) { sig := 5 } }
                    default { sig := 4 }
                }
                default { if iszero(eq(rt, 31)) { sig := 4 } }
            }
            // bltz bgez bltzl bgezl bltzal bgezal bltzall bgezall: rt bit 0 = "greater or equal",
            // bit 1 = likely, bit 4 = link (written whether or not the branch is taken).
            function regimmBranch(insn, rs, rt, pc_, npc) -> sig, npc2, nnpc {
                npc2 := npc
                nnpc := and(add(npc, 4), 0xffffffff)
                if iszero(eq(npc, and(add(pc_, 4), 0xffffffff))) {
                    sig := 4
                    leave
                }
                let taken := xor(shr(31, reg(rs)), and(rt, 1))
                if and(rt, 16) { setReg(31, and(add(pc_, 8), 0xffffffff)) }
                switch taken
                case 1 { nnpc := branchTarget(insn, pc_) }
                default {
                    if and(rt, 2) {
                        // branch-likely not taken: the delay slot is annulled
                        npc2 := and(add(npc, 4), 0xffffffff)
                        nnpc := and(add(npc, 8), 0xffffffff)
                    }
                }
            }

            // beq bne blez bgtz (k = op & 3) and their likely forms.
            function branch(insn, op, rs, rt, pc_, npc, likely) -> sig, npc2, nnpc {
                npc2 := npc
                nnpc := and(add(npc, 4), 0xffffffff)
                let a := reg(rs)
                let taken := 0
                switch op
                case 4 { taken := eq(a, reg(rt)) }
                case 5 { taken := iszero(eq(a, reg(rt))) }
                default {
                    if rt {
                        sig := 4
                        leave
                    }
                    // 6 blez: a <= 0; 7 bgtz: a > 0
                    taken := sgt(signextend(3, a), 0)
                    if eq(op, 6) { taken := iszero(taken) }
                }
                if iszero(eq(npc, and(add(pc_, 4), 0xffffffff))) {
                    sig := 4
                    leave
                }
                switch taken
                case 1 { nnpc := branchTarget(insn, pc_) }
                default {
                    if likely {
                        npc2 := and(add(npc, 4), 0xffffffff)
                        nnpc := and(add(npc, 8), 0xffffffff)
                    }
                }
            }

            // sb sh swl sw swr sc: the word is read (and proven) before the address checks.
            function store(insn, op, rs, rt) -> sig {
                let a := and(add(reg(rs), signextend(1, and(insn, 0xffff))), 0xffffffff)
                let ptr := slot(and(a, 0xfffffffc))
                let w := and(mload(ptr), 0xffffffff)
                let r := reg(rt)
                let low := lt(a, 0x1000)
                switch op
                case 43 {
                    // sw
                    if and(a, 3) {
                        sig := 10
                        leave
                    }
                    if low {
                        sig := 11
                        leave
                    }
                    w := r
                }
                case 40 {
                    // sb
                    if low {
                        sig := 11
                        leave
                    }
                    let s := lane(a)
                    w := or(and(w, not(shl(s, 0xff))), shl(s, and(r, 0xff)))
                }
                case 41 {
                    // sh
                    if and(a, 1) {
                        sig := 10
                        leave
                    }
                    if low {
                        sig := 11
                        leave
                    }
                    let s := lane16(a)
                    w := or(and(w, not(shl(s, 0xffff))), shl(s, and(r, 0xffff)))
                }
                case 42 {
                    // swl: s = 24 - lane; w = w &^ (0xffffffff >> s) | r >> s
                    if low {
                        sig := 11
                        leave
                    }
                    let s := sub(24, lane(a))
                    w := or(and(w, not(shr(s, 0xffffffff))), shr(s, r))
                }
                case 46 {
                    // swr: s = lane; w = w & (1 << s - 1) | r << s
                    if low {
                        sig := 11
                        leave
                    }
                    let s := lane(a)
                    w := and(or(and(w, sub(shl(s, 1), 1)), shl(s, r)), 0xffffffff)
                }
                default {
                    // 56 sc: as sw; always succeeds (no other thread can break the link)
                    if and(a, 3) {
                        sig := 10
                        leave
                    }
                    if low {
                        sig := 11
                        leave
                    }
                    w := r
                    setReg(rt, 1)
                }
                mstore(ptr, or(shl(32, and(a, 0xfffffffc)), w))
            }

            // ---- COP1 (FR=0, no FP arithmetic): FP registers and FCSR are system words ----

            // FP condition code n of FCSR: bit 23 for cc 0, bit 24 + n for the others.
            function fcc(fcsr, n) -> c {
                switch n
                case 0 { c := and(shr(23, fcsr), 1) }
                default { c := and(shr(add(24, n), fcsr), 1) }
            }
            // cfc1: FIR (a constant), FCCR, FEXR, FENR (views of FCSR) and FCSR; ok = 0 for the
            // others (reserved instruction).
            function readFCR(fcsr, n) -> v, ok {
                ok := 1
                switch n
                case 31 { v := fcsr }
                case 0 { v := 0x00330000 } // FIR: S, D, W and L formats
                case 25 { v := or(and(shr(24, fcsr), 0xfe), and(shr(23, fcsr), 1)) } // FCCR
                case 26 { v := and(fcsr, 0x0003f07c) } // FEXR
                case 28 { v := or(and(fcsr, 0x00000f83), and(shr(22, fcsr), 4)) } // FENR
                default { ok := 0 }
            }
            // ctc1: FCSR's new value through FCCR, FEXR, FENR or FCSR itself (writable bits only).
            function writeFCR(fcsr, n, x) -> v, ok {
                ok := 1
                switch n
                case 31 { v := and(x, 0xff83ffff) }
                case 25 { v := or(and(fcsr, not(0xfe800000)), or(shl(24, and(x, 0xfe)), shl(23, and(x, 1)))) }
                case 26 { v := or(and(fcsr, not(0x0003f07c)), and(x, 0x0003f07c)) }
                case 28 { v := or(and(fcsr, not(0x01000f83)), or(and(x, 0x00000f83), shl(22, and(x, 4)))) }
                default { ok := 0 }
                v := and(v, 0xffffffff)
            }
            // COP1 by rs: mfc1 cfc1 mfhc1 mtc1 ctc1 mthc1 and BC1; the FP arithmetic formats stop
            // the executor with an error. The system word is accessed before any fault decision.
            function cop1(insn, rs, rt, pc_, npc) -> sig, npc2, nnpc {
                npc2 := npc
                nnpc := and(add(npc, 4), 0xffffffff)
                let fs := and(shr(11, insn), 31)
                switch rs
                case 0 { setReg(rt, readMem(add(SYS_FPR, shl(2, fs)))) } // mfc1
                case 4 { writeMem(add(SYS_FPR, shl(2, fs)), reg(rt)) } // mtc1
                case 3 {
                    // mfhc1: the odd register of an even pair (FR=0)
                    let v := readMem(add(SYS_FPR, shl(2, or(fs, 1))))
                    if and(fs, 1) {
                        sig := 4
                        leave
                    }
                    setReg(rt, v)
                }
                case 7 {
                    // mthc1
                    let a := add(SYS_FPR, shl(2, or(fs, 1)))
                    let ptr := slot(a)
                    if and(fs, 1) {
                        sig := 4
                        leave
                    }
                    mstore(ptr, or(shl(32, a), reg(rt)))
                }
                case 2 {
                    // cfc1
                    let v, ok := readFCR(readMem(SYS_FCSR), fs)
                    if iszero(ok) {
                        sig := 4
                        leave
                    }
                    setReg(rt, v)
                }
                case 6 {
                    // ctc1
                    let v, ok := writeFCR(readMem(SYS_FCSR), fs, reg(rt))
                    if iszero(ok) {
                        sig := 4
                        leave
                    }
                    writeMem(SYS_FCSR, v)
                }
                case 8 {
                    // bc1f bc1t bc1fl bc1tl: cc = bits 20..18, likely = bit 17, true = bit 16
                    let f := readMem(SYS_FCSR)
                    if iszero(eq(npc, and(add(pc_, 4), 0xffffffff))) {
                        sig := 4
                        leave
                    }
                    switch eq(fcc(f, and(shr(18, insn), 7)), and(shr(16, insn), 1))
                    case 1 { nnpc := branchTarget(insn, pc_) }
                    default {
                        if and(insn, 0x20000) {
                            // branch-likely not taken: the delay slot is annulled
                            npc2 := and(add(npc, 4), 0xffffffff)
                            nnpc := and(add(npc, 8), 0xffffffff)
                        }
                    }
                }
                case 16 { failUnsupported() } // FP arithmetic: S
                case 17 { failUnsupported() } // D
                case 20 { failUnsupported() } // W
                case 21 { failUnsupported() } // L
                case 22 { failUnsupported() } // PS
                default { sig := 4 }
            }
            // The fault of an FP access at a needing alignment mask+1: SIGBUS, then SIGSEGV.
            function fpFault(a, mask) -> sig {
                if lt(a, 0x1000) { sig := 11 }
                if and(a, mask) { sig := 10 }
            }
            // lwc1 (49) ldc1 (53) swc1 (57) sdc1 (61): the FP register word(s) ft (ldc1/sdc1: the
            // pair ft & ~1, ft | 1) first, then the data word(s) at (rs + imm) & ~3 (and + 4), all
            // accessed (and proven) even when the instruction faults. Faults: alignment, the null
            // page, then (ldc1/sdc1) an odd register. In big-endian guests the pair's high word
            // (register ft + 1) is the one at the lower address.
            function fpMem(insn, op, rs, rt) -> sig {
                let a := and(add(reg(rs), signextend(1, and(insn, 0xffff))), 0xffffffff)
                let d := and(a, 0xfffffffc)
                switch op
                case 49 {
                    let f := add(SYS_FPR, shl(2, rt))
                    let fp := slot(f)
                    let w := readMem(d)
                    sig := fpFault(a, 3)
                    if sig { leave }
                    mstore(fp, or(shl(32, f), w))
                }
                case 57 {
                    let v := readMem(add(SYS_FPR, shl(2, rt)))
                    let ptr := slot(d)
                    sig := fpFault(a, 3)
                    if sig { leave }
                    mstore(ptr, or(shl(32, d), v))
                }
                default {
                    let f0 := add(SYS_FPR, shl(2, and(rt, 30)))
                    let p0 := slot(f0)
                    let p1 := slot(add(f0, 4))
                    let d1 := and(add(d, 4), 0xffffffff)
                    let q0 := slot(d)
                    let q1 := slot(d1)
                    sig := fpFault(a, 7)
                    if iszero(sig) { if and(rt, 1) { sig := 4 } }
                    if sig { leave }
                    switch op
                    case 53 { moveDouble(q0, q1, p0, f0, p1, add(f0, 4)) } // ldc1
                    default { moveDouble(p0, p1, q0, d, q1, d1) } // sdc1
                }
            }

            // Copies the cached words at s0, s1 to the cache entries t0 (address a0) and t1
            // (address a1), crossed over in a big-endian guest.
            function moveDouble(s0, s1, t0, a0, t1, a1) {
                let w0 := and(mload(s0), 0xffffffff)
                let w1 := and(mload(s1), 0xffffffff)
                if mload(M_BE) {
                    let t := w0
                    w0 := w1
                    w1 := t
                }
                mstore(t0, or(shl(32, a0), w0))
                mstore(t1, or(shl(32, a1), w1))
            }

            function special2(insn, rs, rt) -> sig {
                let fn := and(insn, 63)
                let rd := and(shr(11, insn), 31)
                let a := reg(rs)
                let b := reg(rt)
                let acc := or(shl(32, rd32(S_HI)), rd32(S_LO))
                switch fn
                case 2 {
                    // mul
                    setReg(rd, and(mul(a, b), 0xffffffff))
                    leave
                }
                case 32 {
                    setReg(rd, clz32(a))
                    leave
                }
                case 33 {
                    setReg(rd, clz32(xor(a, 0xffffffff)))
                    leave
                }
                case 0 { acc := add(acc, mul(signextend(3, a), signextend(3, b))) } // madd
                case 1 { acc := add(acc, mul(a, b)) } // maddu
                case 4 { acc := sub(acc, mul(signextend(3, a), signextend(3, b))) } // msub
                case 5 { acc := sub(acc, mul(a, b)) } // msubu
                case 63 { failUnsupported() } // sdbbp
                default {
                    sig := 4
                    leave
                }
                wr32(S_HI, and(shr(32, acc), 0xffffffff))
                wr32(S_LO, and(acc, 0xffffffff))
            }

            function special3(insn, rs, rt) -> sig {
                let fn := and(insn, 63)
                let rd := and(shr(11, insn), 31)
                let sa := and(shr(6, insn), 31)
                switch fn
                case 0 {
                    // ext: pos = sa, size = rd + 1
                    if gt(add(sa, add(rd, 1)), 32) {
                        sig := 4
                        leave
                    }
                    setReg(rt, and(shr(sa, reg(rs)), sub(shl(add(rd, 1), 1), 1)))
                }
                case 4 {
                    // ins: lsb = sa, msb = rd
                    if lt(rd, sa) {
                        sig := 4
                        leave
                    }
                    let mask := shl(sa, sub(shl(add(sub(rd, sa), 1), 1), 1))
                    setReg(rt, and(or(and(reg(rt), not(mask)), and(shl(sa, reg(rs)), mask)), 0xffffffff))
                }
                case 32 {
                    // BSHFL
                    let v := reg(rt)
                    switch sa
                    case 2 { setReg(rd, or(and(shl(8, v), 0xff00ff00), and(shr(8, v), 0x00ff00ff))) } // wsbh
                    case 16 { setReg(rd, and(signextend(0, v), 0xffffffff)) } // seb
                    case 24 { setReg(rd, and(signextend(1, v), 0xffffffff)) } // seh
                    default { sig := 4 }
                }
                case 59 {
                    // rdhwr
                    switch rd
                    case 0 { setReg(rt, 0) } // CPUNum
                    case 1 { setReg(rt, 32) } // SYNCI_Step
                    case 2 { setReg(rt, and(getStep(), 0xffffffff)) } // CC: the step counter
                    case 3 { setReg(rt, 1) } // CCRes
                    case 29 { setReg(rt, readMem(SYS_TLS)) } // UserLocal: the TLS pointer
                    default { sig := 4 }
                }
                default {
                    // The DSP ASE functions stop the executor with an error; others are reserved.
                    // 8 9 10 12..20 24 30 48..51 56 as a bit set:
                    if and(shr(fn, 0x10f0000411ff700), 1) { failUnsupported() }
                    sig := 4
                }
            }

            // ================= syscalls (executor/linux.go) =================

            // ---- The descriptor table (executor/fd.go) ----

            // Descriptor index of fd: 0..6 for the initial descriptors, 7 + i for slot i (fd
            // 100 + i), 23 for numbers that are never open.
            function fdIndex(fd) -> d {
                d := 23
                if lt(fd, 7) { d := fd }
                if lt(sub(fd, 100), 16) { d := sub(fd, 93) }
            }
            // Whether descriptor d (< 23) is open by the table word t: a set bit marks an initial
            // descriptor closed and a slot open.
            function fdOpen(t, d) -> ok {
                ok := eq(and(shr(d, t), 1), gt(d, 6))
            }
            // The descriptor index of the epoll instance (0xff: none).
            function fdEpoll(t) -> d {
                d := 0xff
                let s := and(shr(23, t), 31)
                if s { d := add(s, 6) }
            }
            function slotAddr(d) -> a {
                a := add(SYS_SLOT, shl(2, sub(d, 7)))
            }
            // Whether fd is open, from the table word alone (lseek, ioctl, pread64, mmap).
            function fdOpenFD(fd) -> ok {
                let d := fdIndex(fd)
                if lt(d, 23) { ok := fdOpen(readMem(SYS_FDT), d) }
            }
            // read, write, fcntl and fstat look fd up: an initial descriptor in the table word, a
            // slot in its header (h, whose kind is 0 when the slot is free).
            function fdLookup(fd) -> d, h, ok {
                d := fdIndex(fd)
                if eq(d, 23) { leave }
                switch lt(d, 7)
                case 1 { ok := fdOpen(readMem(SYS_FDT), d) }
                default {
                    h := readMem(slotAddr(d))
                    ok := iszero(iszero(and(shr(24, h), 7)))
                }
            }
            // Guest time: 100 ns per step (u64, as the executor's step * nsPerStep).
            function nowNS() -> ns {
                ns := and(mul(getStep(), 100), 0xffffffffffffffff)
            }
            // The o32 stack argument i (4, 5, ...): a proven memory read at sp + 16 + 4 (i - 4).
            function stackArg(i) -> v {
                v := readMem(and(add(reg(29), add(16, shl(2, sub(i, 4)))), 0xfffffffc))
            }
            // Word j (0 or 1, in guest memory order) of the u64 x.
            function u64Word(x, j) -> w {
                w := and(x, 0xffffffff)
                if xor(j, mload(M_BE)) { w := shr(32, x) }
            }

            // A Linux syscall: v0 = number, a0..a3 = r4..r7, more arguments on the stack.
            // Completes the step: v0/a3 and pc past the syscall, or the exit.
            function doSyscall(ctx, oracleAddr) {
                let num := reg(2)
                if or(lt(num, 4000), gt(num, 4999)) {
                    fail(42, "MIPS: zkVM calls are not provabl", "e on chain")
                }
                let v, e := linuxSyscall(num, ctx, oracleAddr)
                switch e
                case 2 {
                    // exit, exit_group: with no other thread, the process ends; pc stays
                    mstore8(S_EXITED, 1)
                    mstore8(S_EXITCODE, and(v, 0xff))
                }
                default {
                    // sysReturn: v0 = value and a3 = 0, or v0 = errno and a3 = 1; then advance
                    setReg(2, v)
                    setReg(7, e)
                    let npc := rd32(S_NPC)
                    wr32(S_PC, npc)
                    wr32(S_NPC, and(add(npc, 4), 0xffffffff))
                }
            }

            // Returns v (the value, or the errno when e = 1), or e = 2 to exit with code v (& 0xff).
            function linuxSyscall(num, ctx, oracleAddr) -> v, e {
                let a0 := reg(4)
                let a1 := reg(5)
                let a2 := reg(6)
                switch num
                case 4263 { v, e := clockGettime(a0, a1, 0) } // clock_gettime
                case 4403 { v, e := clockGettime(a0, a1, 1) } // clock_gettime64
                case 4162 {} // sched_yield
                case 4166 {} // nanosleep: returns at once (time is the step count)
                case 4265 {} // clock_nanosleep
                case 4407 {} // clock_nanosleep_time64
                case 4238 { v, e := futex(a0, a1, a2) }
                case 4422 { v, e := futex(a0, a1, a2) } // futex_time64
                case 4210 { v, e := mmap(a0, a1) } // mmap2
                case 4090 { v, e := mmap(a0, a1) } // mmap
                case 4218 { if and(a0, 0xfff) { v, e := errno(22) } } // madvise
                case 4091 { if or(and(a0, 0xfff), iszero(a1)) { v, e := errno(22) } } // munmap
                case 4004 { v, e := write(a0, a1, a2, not(0)) }
                case 4003 { v, e := read(a0, a1, a2, ctx, oracleAddr) }
                case 4146 { v, e := writev(a0, a1, a2) }
                case 4001 {
                    v := a0
                    e := 2
                }
                case 4246 {
                    v := a0
                    e := 2
                }
                case 4222 { v := 1000 } // gettid
                case 4020 { v := 1000 } // getpid
                case 4064 {} // getppid
                case 4024 { v := 1000 } // getuid
                case 4049 { v := 1000 } // geteuid
                case 4047 { v := 1000 } // getgid
                case 4050 { v := 1000 } // getegid
                case 4252 { v := 1000 } // set_tid_address
                case 4309 {} // set_robust_list
                case 4206 {
                    // sigaltstack: old = {ss_sp 0, ss_size 0, ss_flags SS_DISABLE}
                    if a1 { v, e := putStruct(a1, 3, 1, 0, 0) }
                }
                case 4195 {
                    // rt_sigprocmask: the old mask is empty
                    if a2 { v, e := putStruct(a2, 4, 0, 0, 0) }
                }
                case 4240 {
                    // sched_getaffinity: one CPU
                    switch lt(a1, 4)
                    case 1 { v, e := errno(22) }
                    default {
                        v, e := putStruct(a2, 1, 2, 1, 0)
                        if iszero(e) { v := 4 }
                    }
                }
                case 4055 { v, e := fcntl(a0, a1, a2) }
                case 4220 { v, e := fcntl(a0, a1, a2) } // fcntl64
                case 4125 {} // mprotect: protections are not modelled
                case 4167 { v, e := errno(12) } // mremap: ENOMEM, callers copy
                case 4192 { v, e := errno(22) } // prctl
                case 4367 { v, e := errno(89) } // rseq: ENOSYS
                case 4005 { v, e := errno(2) } // open: no file system
                case 4288 { v, e := errno(2) } // openat
                case 4085 { v, e := errno(2) } // readlink
                case 4298 { v, e := errno(2) } // readlinkat
                case 4293 { v, e := errno(2) } // fstatat64
                case 4366 {
                    // statx: only AT_EMPTY_PATH with an empty path reaches a descriptor; the
                    // path's first byte is read before its range is checked, as the executor.
                    // The descriptor's word (a system word) is proven whatever the path.
                    v, e := errno(2)
                    if and(a2, 0x1000) {
                        let d_, h_, ok_ := fdLookup(a0)
                        if iszero(loadByte(a1)) {
                            if iszero(lt(a1, 0x1000)) {
                                let buf := stackArg(4)
                                v, e := fdStruct(a0, buf, 256, 7)
                            }
                        }
                    }
                }
                case 4215 { v, e := fdStruct(a0, a1, 104, 6) } // fstat64
                case 4019 { v, e := seek(a0) } // lseek
                case 4140 { v, e := seek(a0) } // _llseek
                case 4200 { v, e := seek(a0) } // pread64
                case 4054 {
                    // ioctl: nothing is a terminal
                    v, e := errno(25)
                    if iszero(fdOpenFD(a0)) { v := 9 }
                }
                case 4264 { if a1 { v, e := putStruct(a1, 2, 2, 0, 100) } } // clock_getres
                case 4406 { if a1 { v, e := putStruct(a1, 4, 3, 0, 100) } } // clock_getres_time64
                case 4078 {
                    // gettimeofday
                    if a0 {
                        let ns := nowNS()
                        v, e := putStruct(a0, 2, 2, and(div(ns, 1000000000), 0xffffffff), div(mod(ns, 1000000000), 1000))
                    }
                }
                case 4013 {
                    // time
                    let sec := and(div(nowNS(), 1000000000), 0xffffffff)
                    switch and(iszero(iszero(a0)), iszero(guestPtr(a0, 4)))
                    case 1 { v, e := errno(14) }
                    default {
                        if a0 { v, e := putRaw(a0, 1, 2, sec, 0) }
                        v := sec
                    }
                }
                case 4122 { v, e := uname(a0) }
                case 4076 { v, e := getrlimit(a0, a1, 0) }
                case 4338 {
                    // prlimit64(pid, resource, new, old): limits can be read, not changed
                    switch and(iszero(iszero(a0)), iszero(eq(a0, 1000)))
                    case 1 { v, e := errno(3) } // ESRCH
                    default {
                        switch a2
                        case 0 { v, e := getrlimit(a1, reg(7), 1) }
                        default { v, e := errno(1) } // EPERM
                    }
                }
                case 4203 {
                    // getcwd: "/"
                    switch lt(a1, 2)
                    case 1 { v, e := errno(34) } // ERANGE
                    case 0 {
                        switch guestPtr(a0, 2)
                        case 0 { v, e := errno(14) }
                        default {
                            storeByte(a0, 0x2f)
                            storeByte(and(add(a0, 1), 0xffffffff), 0)
                            v := 2
                        }
                    }
                }
                case 4116 { v, e := putStruct(a0, 16, 4, and(div(nowNS(), 1000000000), 0xffffffff), 0) } // sysinfo
                // The OS state in the system words.
                case 4045 {
                    // brk: the break only grows, up to the heap field (mmap's next address)
                    v := readMem(SYS_BRK)
                    if iszero(or(lt(a0, v), gt(a0, rd32(S_HEAP)))) {
                        writeMem(SYS_BRK, a0)
                        v := a0
                    }
                }
                case 4283 { writeMem(SYS_TLS, a0) } // set_thread_area
                case 4120 {
                    // clone: only threads (CLONE_VM), which never run; the tid counts up
                    switch and(a0, 0x100)
                    case 0 { v, e := errno(89) }
                    default {
                        v := readMem(SYS_NEXTTID)
                        writeMem(SYS_NEXTTID, and(add(v, 1), 0xffffffff))
                        // CLONE_PARENT_SETTID: the tid at a2 when the range is valid
                        if and(a0, 0x100000) { if guestPtr(a2, 4) { putWord(a2, v) } }
                    }
                }
                case 4194 { v, e := sigaction(a0, a1, a2) } // rt_sigaction
                case 4037 {
                    // kill: only the guest's own process (pid 1000, 0 or -1)
                    switch or(or(eq(a0, 1000), iszero(a0)), eq(a0, 0xffffffff))
                    case 0 { v, e := errno(3) } // ESRCH
                    default { v, e := kill(1000, a1) }
                }
                case 4236 { v, e := kill(a0, a1) } // tkill
                case 4266 { v, e := kill(a1, a2) } // tgkill: the tgid is not checked
                case 4353 { v, e := getrandom(a0, a1) }
                // The descriptor table.
                case 4006 { v, e := closeFD(a0) } // close
                case 4248 {
                    // epoll_create(size): size > 0, then as epoll_create1(0)
                    switch slt(signextend(3, a0), 1)
                    case 1 { v, e := errno(22) }
                    default { v, e := epollCreate(0) }
                }
                case 4326 { v, e := epollCreate(a0) } // epoll_create1
                case 4325 { v, e := eventfd2(a0, a1) }
                case 4328 { v, e := pipe2(a0, a1) }
                case 4249 { v, e := epollCtl(a0, a1, a2, reg(7)) }
                case 4250 { v, e := epollWait(a0, a1, a2) } // the timeout never waits
                case 4313 { v, e := epollWait(a0, a1, a2) } // epoll_pwait: the signal mask is ignored
                default { v, e := errno(89) } // unknown: ENOSYS (the executor's non-strict mode)
            }

            function errno(n) -> v, e {
                v := n
                e := 1
            }

            // Writes an n-word struct at a after checking its range (EFAULT).
            function putStruct(a, n, kind, p0, p1) -> v, e {
                switch guestPtr(a, shl(2, n))
                case 0 { v, e := errno(14) }
                default { v, e := putRaw(a, n, kind, p0, p1) }
            }
            // putWords: the n words of a struct, in order; returns (0, 0).
            function putRaw(a, n, kind, p0, p1) -> v, e {
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    putWord(add(a, shl(2, i)), structWord(kind, i, p0, p1))
                }
            }
            // Word i of the structs syscalls write. kind: 0 zeros, 1 stack_t (SS_DISABLE),
            // 2 two u32 (p0, p1), 3 two u64 (p0, p1), 4 sysinfo (uptime p0), 5 two u32 (p0, p1)
            // then zeros (struct sigaction), 6 stat64 (fd p0, mode p1), 7 statx (fd p0, mode p1).
            function structWord(kind, i, p0, p1) -> w {
                switch kind
                case 0 {}
                case 1 { if eq(i, 2) { w := 2 } }
                case 2 {
                    w := p0
                    if i { w := p1 }
                }
                case 3 {
                    switch lt(i, 2)
                    case 1 { w := u64Word(p0, i) }
                    default { w := u64Word(p1, sub(i, 2)) }
                }
                case 5 {
                    switch i
                    case 0 { w := p0 }
                    case 1 { w := p1 }
                }
                case 4 {
                    // sysinfo: 1 GiB of RAM, half free, one process, no swap
                    switch i
                    case 0 { w := p0 } // uptime
                    case 4 { w := 0x40000000 } // totalram
                    case 5 { w := 0x20000000 } // freeram
                    case 10 {
                        // procs: a u16 in the first half of its word
                        w := 1
                        if mload(M_BE) { w := 0x10000 }
                    }
                    case 13 { w := 1 } // mem_unit
                }
                case 6 {
                    // stat64 of a descriptor
                    switch i
                    case 4 { w := u64Word(add(p0, 1), 0) } // st_ino
                    case 5 { w := u64Word(add(p0, 1), 1) }
                    case 6 { w := p1 } // st_mode
                    case 7 { w := 1 } // st_nlink
                    case 8 { w := 1000 } // st_uid
                    case 9 { w := 1000 } // st_gid
                    case 22 { w := 0x1000 } // st_blksize
                }
                default {
                    // statx of a descriptor
                    switch i
                    case 0 { w := 0x7ff } // stx_mask = STATX_BASIC_STATS
                    case 1 { w := 0x1000 } // stx_blksize
                    case 4 { w := 1 } // stx_nlink
                    case 5 { w := 1000 } // stx_uid
                    case 6 { w := 1000 } // stx_gid
                    case 7 {
                        // stx_mode: a u16 at offset 28
                        w := p1
                        if mload(M_BE) { w := shl(16, w) }
                    }
                    case 8 { w := u64Word(add(p0, 1), 0) } // stx_ino
                    case 9 { w := u64Word(add(p0, 1), 1) }
                }
            }
            // fstat64 (kind 6, 104 bytes) and statx (kind 7, 256 bytes): EBADF, EFAULT, struct. The
            // standard streams, the oracle's descriptors and pipes are FIFOs (S_IFIFO | 0600),
            // epoll and eventfd descriptors anonymous inodes (0600).
            function fdStruct(fd, buf, size, kind) -> v, e {
                let d, h, ok := fdLookup(fd)
                switch ok
                case 0 { v, e := errno(9) }
                default {
                    let mode := 0x1180
                    if lt(sub(and(shr(24, h), 7), 1), 2) { mode := 0x180 }
                    v, e := putStruct(buf, shr(2, size), kind, fd, mode)
                }
            }

            // read: EBADF, n = 0, EFAULT, then by descriptor.
            function read(fd, buf, n, ctx, oracleAddr) -> v, e {
                let d, h, ok := fdLookup(fd)
                if iszero(ok) {
                    v, e := errno(9)
                    leave
                }
                if iszero(n) { leave }
                if iszero(guestPtr(buf, n)) {
                    v, e := errno(14)
                    leave
                }
                if gt(d, 6) {
                    v, e := slotRead(d, h, buf, n)
                    leave
                }
                switch fd
                case 0 {} // no stdin: end of file
                case 3 { v := n } // hint acknowledgement
                case 5 { v := readPreimage(buf, n, ctx, oracleAddr) }
                default { v, e := errno(9) } // write-only descriptors
            }

            // Pre-image read: at most to the end of buf's word and of the oracle's 32 bytes.
            function readPreimage(buf, n, ctx, oracleAddr) -> k {
                let key := mload(S_KEY)
                let off := rd32(S_POFF)
                if eq(byte(0, key), 1) {
                    // Local key: keccak256(key || caller || localContext), type byte 1.
                    mstore(0, key)
                    mstore(0x20, caller())
                    mstore(0x40, ctx)
                    key := or(and(keccak256(0, 0x60), 0x00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff), shl(248, 1))
                }
                // readPreimage(bytes32,uint256)
                mstore(0, shl(224, 0xe03110e1))
                mstore(4, key)
                mstore(0x24, off)
                if iszero(staticcall(gas(), oracleAddr, 0, 0x44, 0, 0x40)) {
                    returndatacopy(0, 0, returndatasize())
                    revert(0, returndatasize())
                }
                if lt(returndatasize(), 0x40) { fail(26, "MIPS: bad pre-image oracle", 0) }
                let dat := mload(0)
                k := mload(0x20)
                let room := sub(4, and(buf, 3))
                if gt(k, room) { k := room }
                if gt(k, n) { k := n }
                let ptr := slot(and(buf, 0xfffffffc))
                let w := and(mload(ptr), 0xffffffff)
                for { let i := 0 } lt(i, k) { i := add(i, 1) } {
                    let s := lane(add(buf, i))
                    w := or(and(w, not(shl(s, 0xff))), shl(s, byte(i, dat)))
                }
                mstore(ptr, or(shl(32, and(buf, 0xfffffffc)), w))
                wr32(S_POFF, and(add(off, k), 0xffffffff))
            }

            // write: EBADF, EFAULT, then by descriptor; e = 2 when SIGPIPE ends the guest. A write
            // to a guest-created descriptor proves SIGPIPE's handler first (the word is below the
            // header that tells whether the descriptor is a pipe). guests: the index of the first
            // cache entry that may hold a guest word (writev's iovecs and earlier buffers; the
            // write syscall touches none before its buffer: all ones).
            function write(fd, buf, n, guests) -> v, e {
                if lt(sub(fdIndex(fd), 7), 16) { pop(slot(SYS_SIGPIPE)) }
                let d, h, ok := fdLookup(fd)
                if iszero(ok) {
                    v, e := errno(9)
                    leave
                }
                if n {
                    if iszero(guestPtr(buf, n)) {
                        v, e := errno(14)
                        leave
                    }
                }
                if gt(d, 6) {
                    v, e := slotWrite(d, h, buf, n, guests)
                    leave
                }
                switch fd
                case 1 { v := n } // stdout: the bytes leave the machine, no proof
                case 2 { v := n } // stderr
                case 4 { v := n } // hint: goes to the host
                case 6 {
                    // pre-image key: shift in the bytes up to the end of buf's word
                    if iszero(n) { leave }
                    let k := sub(4, and(buf, 3))
                    if gt(k, n) { k := n }
                    let w := readMem(and(buf, 0xfffffffc))
                    let key := mload(S_KEY)
                    for { let i := 0 } lt(i, k) { i := add(i, 1) } {
                        key := or(shl(8, key), and(shr(lane(add(buf, i)), w), 0xff))
                    }
                    mstore(S_KEY, key)
                    wr32(S_POFF, 0)
                    v := k
                }
                default { v, e := errno(9) } // read-only descriptors
            }

            // writev: the iovec array is read (proven; each entry's length, then its base), each
            // entry goes through write; an error ends the call (returned only if nothing was
            // written before), and so does a short write (fd 6, a pipe). The descriptor's system
            // words come first, before the iovecs say how much is written: for a pipe, every free
            // byte of its buffer.
            function writev(fd, iov, cnt) -> v, e {
                if gt(cnt, 1024) {
                    // UIO_MAXIOV
                    v, e := errno(22)
                    leave
                }
                if iszero(guestPtr(iov, shl(3, cnt))) {
                    v, e := errno(14)
                    leave
                }
                if cnt { writevWords(fd) }
                let guests := mload(M_CNT) // the system words are all proven now
                for { let i := 0 } lt(i, cnt) { i := add(i, 1) } {
                    let at := add(iov, shl(3, i))
                    let len := getWord(add(at, 4))
                    let n, err := write(fd, getWord(at), len, guests)
                    if eq(err, 2) {
                        v := n
                        e := 2
                        leave
                    }
                    if err {
                        if iszero(v) { v, e := errno(n) }
                        break
                    }
                    v := add(v, n)
                    if lt(n, len) { break }
                }
                v := and(v, 0xffffffff)
            }

            function seek(fd) -> v, e {
                v, e := errno(29) // ESPIPE
                if iszero(fdOpenFD(fd)) { v := 9 }
            }

            // fcntl: F_GETFD, F_SETFD, F_GETFL, F_SETFL. A guest-created descriptor keeps
            // FD_CLOEXEC and O_NONBLOCK in its header; the initial descriptors' flags are fixed.
            function fcntl(fd, cmd, arg) -> v, e {
                let d, h, ok := fdLookup(fd)
                if iszero(ok) {
                    v, e := errno(9)
                    leave
                }
                if gt(d, 6) {
                    v, e := slotFcntl(d, h, cmd, arg)
                    leave
                }
                switch cmd
                case 1 {} // F_GETFD
                case 2 {} // F_SETFD
                case 4 {} // F_SETFL
                case 3 {
                    // F_GETFL: stdin and the oracle's read ends are O_RDONLY, the others O_WRONLY
                    v := 1
                    if or(iszero(fd), or(eq(fd, 3), eq(fd, 5))) { v := 0 }
                }
                default { v, e := errno(22) }
            }

            // mmap(addr, length, prot, flags, fd): a bump allocator over the heap field.
            function mmap(addr, length) -> v, e {
                // A file mapping checks the descriptor in the table (a system word, so first);
                // the fd (5th argument) comes from the stack and is read next, always.
                let flags := reg(7)
                if length { if iszero(and(flags, 0x800)) { pop(slot(SYS_FDT)) } }
                let fd := stackArg(4)
                if iszero(length) {
                    v, e := errno(22)
                    leave
                }
                if iszero(and(flags, 0x800)) {
                    // not MAP_ANONYMOUS: no files to map
                    v, e := errno(89)
                    if iszero(fdOpenFD(fd)) { v := 9 }
                    leave
                }
                // The page rounding wraps in 32 bits, as in the executor.
                let size := and(add(length, 0xfff), 0xfffff000)
                if and(flags, 0x10) {
                    // MAP_FIXED: the address asked for
                    v := addr
                    if or(or(and(addr, 0xfff), gt(add(addr, size), 0x100000000)), lt(addr, 0x1000)) {
                        v, e := errno(22)
                    }
                    leave
                }
                v := rd32(S_HEAP)
                // mmapLimit = 0x7f000000 - 16 MiB
                switch gt(add(v, size), 0x7e000000)
                case 1 { v, e := errno(12) }
                default { wr32(S_HEAP, add(v, size)) }
            }

            function futex(uaddr, op, val) -> v, e {
                switch and(op, not(384)) // without FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME
                case 0 { v, e := futexWait(uaddr, val) }
                case 9 { v, e := futexWait(uaddr, val) } // FUTEX_WAIT_BITSET
                case 1 {} // FUTEX_WAKE: nobody waits
                case 10 {} // FUTEX_WAKE_BITSET
                default { v, e := errno(89) }
            }
            function futexWait(uaddr, val) -> v, e {
                if and(uaddr, 3) {
                    v, e := errno(22)
                    leave
                }
                if iszero(guestPtr(uaddr, 4)) {
                    v, e := errno(14)
                    leave
                }
                if iszero(eq(readMem(uaddr), val)) {
                    v, e := errno(11) // EAGAIN
                    leave
                }
                if iszero(reg(7)) {
                    // The executor stops: no other thread could ever wake the waiter.
                    fail(42, "MIPS: futex wait without timeout", " deadlocks")
                }
                v, e := errno(145) // ETIMEDOUT
            }

            function clockGettime(clock, ts, wide) -> v, e {
                if gt(clock, 11) {
                    v, e := errno(22)
                    leave
                }
                let ns := nowNS()
                let sec := div(ns, 1000000000)
                let nsec := mod(ns, 1000000000)
                switch wide
                case 0 { v, e := putStruct(ts, 2, 2, and(sec, 0xffffffff), nsec) }
                default { v, e := putStruct(ts, 4, 3, sec, nsec) }
            }

            // getrlimit (wide: prlimit64's struct of two u64).
            function getrlimit(res, ptr, wide) -> v, e {
                if gt(res, 15) {
                    v, e := errno(22)
                    leave
                }
                if iszero(ptr) { leave }
                let cur := 0xffffffffffffffff
                let max := 0xffffffffffffffff
                if eq(res, 3) { cur := 0x800000 } // RLIMIT_STACK: 8 MiB
                if eq(res, 5) {
                    // RLIMIT_NOFILE
                    cur := 1024
                    max := 4096
                }
                switch wide
                case 1 { v, e := putStruct(ptr, 4, 3, cur, max) }
                default {
                    // o32 RLIM_INFINITY is 0x7fffffff
                    if gt(cur, 0x7ffffffe) { cur := 0x7fffffff }
                    if gt(max, 0x7ffffffe) { max := 0x7fffffff }
                    v, e := putStruct(ptr, 2, 2, cur, max)
                }
            }

            // writeBytes: the n bytes at memory src to guest address a: bytes up to a word
            // boundary, whole words, then the tail bytes (a + n does not wrap: callers check).
            // The callers (uname, getrandom) touch no guest word before, and a >= 0x1000 keeps
            // the words apart from the system words: the whole words are new cache entries.
            function writeBytes(a, src, n) {
                let i := 0
                for {} and(lt(i, n), iszero(iszero(and(add(a, i), 3)))) { i := add(i, 1) } {
                    storeByte(add(a, i), byte(0, mload(add(src, i))))
                }
                let isBE := mload(M_BE)
                for {} iszero(gt(add(i, 4), n)) { i := add(i, 4) } {
                    let w := shr(224, mload(add(src, i)))
                    if iszero(isBE) { w := bswap32(w) }
                    appendWord(add(a, i), w)
                }
                for {} lt(i, n) { i := add(i, 1) } { storeByte(add(a, i), byte(0, mload(add(src, i)))) }
            }

            // uname: six 65-byte NUL-padded fields, staged in memory past the largest cache the
            // call can fill (about 100 words).
            function uname(buf) -> v, e {
                if iszero(guestPtr(buf, 390)) {
                    v, e := errno(14)
                    leave
                }
                let src := add(M_CACHE, 0x1000)
                for { let i := 0 } lt(i, 13) { i := add(i, 1) } { mstore(add(src, shl(5, i)), 0) }
                mstore(src, "Linux") // sysname
                mstore(add(src, 65), "zkmips") // nodename
                mstore(add(src, 130), "6.1.0") // release
                mstore(add(src, 195), "#1 SMP zkmips") // version
                mstore(add(src, 260), "mips") // machine
                mstore(add(src, 325), "(none)") // domainname
                writeBytes(buf, src, 390)
            }

            // ---- The OS state in the system words ----

            // rt_sigaction(sig, act, oact): the handler and flags words of sig, then oact (the old
            // {flags, handler, mask}) is written and act ({flags, handler}) read.
            function sigaction(sig, act, oact) -> v, e {
                if or(iszero(sig), gt(sig, 128)) {
                    v, e := errno(22)
                    leave
                }
                if and(iszero(iszero(act)), or(eq(sig, 9), eq(sig, 23))) {
                    // SIGKILL and SIGSTOP cannot be changed
                    v, e := errno(22)
                    leave
                }
                let ha := add(SYS_SIG, shl(3, sig))
                let hp := slot(ha)
                let fp := slot(add(ha, 4))
                if oact {
                    if iszero(guestPtr(oact, 24)) {
                        v, e := errno(14)
                        leave
                    }
                    v, e := putRaw(oact, 6, 5, and(mload(fp), 0xffffffff), and(mload(hp), 0xffffffff))
                }
                if act {
                    if iszero(guestPtr(act, 8)) {
                        v, e := errno(14)
                        leave
                    }
                    let fl := getWord(act)
                    let h := getWord(add(act, 4))
                    mstore(fp, or(shl(32, add(ha, 4)), fl))
                    mstore(hp, or(shl(32, ha), h))
                }
            }

            // kill(tid, sig) to the guest: EINVAL, the thread id (1000 or a thread clone made:
            // below the next tid), sig 0 only checks. A handler or SIG_IGN drops the signal (handlers
            // never run), as does the default action of SIGCHLD, SIGWINCH, SIGURG and the stop and
            // continue signals; any other default action ends the guest with 128 + sig.
            function kill(tid, sig) -> v, e {
                if gt(sig, 128) {
                    v, e := errno(22)
                    leave
                }
                if iszero(eq(tid, 1000)) {
                    let nt := readMem(SYS_NEXTTID)
                    if or(iszero(gt(tid, 1000)), iszero(lt(tid, nt))) {
                        v, e := errno(3) // ESRCH
                        leave
                    }
                }
                if iszero(sig) { leave }
                if readMem(add(SYS_SIG, shl(3, sig))) { leave }
                // 18 20 21 23 24 25 26 27 as a bit set
                if and(shr(sig, 0xfb40000), 1) { leave }
                v := add(128, sig)
                e := 2
            }

            function bswap64(x) -> r {
                x := or(shl(8, and(x, 0x00ff00ff00ff00ff)), and(shr(8, x), 0x00ff00ff00ff00ff))
                x := or(shl(16, and(x, 0x0000ffff0000ffff)), and(shr(16, x), 0x0000ffff0000ffff))
                r := and(or(shl(32, x), shr(32, x)), 0xffffffffffffffff)
            }

            // getrandom(buf, n): n is clamped to 2^25 - 1; EFAULT; with n > 0 the splitmix64 state
            // (system words, low then high) gives 8 little-endian bytes per draw, the last draw's
            // extra bytes dropped, written as the executor's writeBytes.
            function getrandom(buf, n) -> v, e {
                if gt(n, 0x1ffffff) { n := 0x1ffffff }
                if iszero(guestPtr(buf, n)) {
                    v, e := errno(14)
                    leave
                }
                v := n
                if iszero(n) { leave }
                let lo := slot(SYS_RNG_LO)
                let hi := slot(SYS_RNG_HI)
                let rng := or(shl(32, and(mload(hi), 0xffffffff)), and(mload(lo), 0xffffffff))
                // Staged past the largest cache the call can fill (2 + n/4 + 2 words).
                let src := add(M_CACHE, shl(5, add(shr(2, n), 8)))
                for { let i := 0 } lt(i, n) { i := add(i, 8) } {
                    rng := and(add(rng, 0x9e3779b97f4a7c15), 0xffffffffffffffff)
                    let z := rng
                    z := and(mul(xor(z, shr(30, z)), 0xbf58476d1ce4e5b9), 0xffffffffffffffff)
                    z := and(mul(xor(z, shr(27, z)), 0x94d049bb133111eb), 0xffffffffffffffff)
                    z := xor(z, shr(31, z))
                    mstore(add(src, i), shl(192, bswap64(z)))
                }
                mstore(lo, or(shl(32, SYS_RNG_LO), and(rng, 0xffffffff)))
                mstore(hi, or(shl(32, SYS_RNG_HI), shr(32, rng)))
                writeBytes(buf, src, n)
            }

            // ---- Guest-created descriptors: epoll, eventfd, pipes (executor/fd.go) ----

            function evcAddr(d) -> a {
                a := add(SYS_EVC, shl(3, sub(d, 7)))
            }
            function pipeAddr(p) -> a {
                a := add(SYS_PIPE, shl(2, p))
            }
            function entryAddr(d) -> a {
                a := add(SYS_EPOLL, mul(12, d))
            }
            // The eventfd counter of descriptor d (its two words must be proven already, or be
            // proven now in ascending order: low, then high).
            function counter(d) -> c {
                let a := evcAddr(d)
                let lo := readMem(a)
                c := or(shl(32, readMem(add(a, 4))), lo)
            }
            function setCounter(d, c) {
                let a := evcAddr(d)
                writeMem(a, and(c, 0xffffffff))
                writeMem(add(a, 4), shr(32, c))
            }
            // Proves the words of bytes from..to (addresses, inclusive), ascending (words proven
            // already, as writev's, are found as a sequence: see nextSlot).
            function slotRange(from, to) {
                let ptr := sub(M_CACHE, 0x20)
                for { let a := and(from, not(3)) } iszero(gt(a, to)) { a := add(a, 4) } { ptr := nextSlot(ptr, a) }
            }
            // Proves, ascending, the words of pipe p's ring holding k bytes from offset off.
            function slotRing(p, off, k) {
                if iszero(k) { leave }
                let base := add(SYS_PIPEBUF, shl(9, p))
                let end := add(off, sub(k, 1))
                switch lt(end, 512)
                case 1 { slotRange(add(base, off), add(base, end)) }
                default {
                    let e2 := sub(end, 512)
                    slotRange(base, add(base, e2))
                    let from := and(off, not(3))
                    let after := add(and(e2, not(3)), 4)
                    if lt(from, after) { from := after }
                    slotRange(add(base, from), add(base, 511))
                }
            }
            // The cache entry of word a when a sequence of words proven already is walked in
            // ascending order (a pipe's ring): the entry after prev is tried before a lookup.
            function nextSlot(prev, a) -> ptr {
                ptr := add(prev, 0x20)
                if iszero(and(lt(ptr, add(M_CACHE, shl(5, mload(M_CNT)))), eq(shr(32, mload(ptr)), a))) {
                    ptr := slot(a)
                }
            }
            // Copies k bytes of pipe p's ring from offset off (proven already) to memory dst.
            function ringToMem(p, off, k, dst) {
                let base := add(SYS_PIPEBUF, shl(9, p))
                let ptr := sub(M_CACHE, 0x20)
                let w := 1 // no word yet (word addresses are multiples of 4)
                let v := 0
                for { let j := 0 } lt(j, k) { j := add(j, 1) } {
                    let a := add(base, and(add(off, j), 511))
                    if iszero(eq(and(a, not(3)), w)) {
                        w := and(a, not(3))
                        ptr := nextSlot(ptr, w)
                        v := mload(ptr)
                    }
                    mstore8(add(dst, j), and(shr(lane(a), v), 0xff))
                }
            }
            // Copies k bytes from memory src into pipe p's ring from offset off (proven already).
            function memToRing(p, off, k, src) {
                let base := add(SYS_PIPEBUF, shl(9, p))
                let ptr := sub(M_CACHE, 0x20)
                let w := 1
                let v := 0
                for { let j := 0 } lt(j, k) { j := add(j, 1) } {
                    let a := add(base, and(add(off, j), 511))
                    if iszero(eq(and(a, not(3)), w)) {
                        if iszero(eq(w, 1)) { mstore(ptr, v) }
                        w := and(a, not(3))
                        ptr := nextSlot(ptr, w)
                        v := mload(ptr)
                    }
                    let s := lane(a)
                    v := or(and(v, not(shl(s, 0xff))), shl(s, byte(0, mload(add(src, j)))))
                }
                if iszero(eq(w, 1)) { mstore(ptr, v) }
            }
            // Copies the n bytes at guest address a (in range) to memory dst, word by word. Cache
            // entries from index `from` on are the guest words touched before (all earlier ones
            // are system words): a word is looked up among them, else it is new to the step and
            // appended without a lookup (its proof is the next one).
            function guestToMem(a, n, dst, from) {
                let end := mload(M_CNT)
                let j := 0
                for { let w := and(a, not(3)) } lt(j, n) { w := add(w, 4) } {
                    let v := 0
                    let q := from
                    for {} lt(q, end) { q := add(q, 1) } {
                        let ent := mload(add(M_CACHE, shl(5, q)))
                        if eq(shr(32, ent), w) {
                            v := and(ent, 0xffffffff)
                            break
                        }
                    }
                    if iszero(lt(q, end)) {
                        let c := mload(M_CNT)
                        if iszero(lt(c, mload(M_NDATA))) { fail(26, "MIPS: missing memory proof", 0) }
                        v := leafWord(calldataload(add(CD_PROOF, mul(add(c, 1), PROOF_SIZE))), w)
                        appendWord(w, v)
                    }
                    for {} and(lt(j, n), lt(add(a, j), add(w, 4))) { j := add(j, 1) } {
                        mstore8(add(dst, j), and(shr(lane(add(a, j)), v), 0xff))
                    }
                }
            }
            function deadlock() {
                // The executor stops: no other thread could ever make the call proceed.
                fail(28, "MIPS: blocking I/O deadlocks", 0)
            }
            // The lowest free slot from slot `from` on (16 and up: none).
            function freeSlot(t, from) -> i {
                for { i := from } lt(i, 16) { i := add(i, 1) } {
                    if iszero(and(shr(add(7, i), t), 1)) { leave }
                }
            }

            // fd's descriptor index d and the table word t (not read for a number that is never
            // open); ok when fd is open.
            function fdTable(fd) -> d, t, ok {
                d := fdIndex(fd)
                if eq(d, 23) { leave }
                t := readMem(SYS_FDT)
                ok := fdOpen(t, d)
            }

            // close: the table, the interest set (a closed descriptor leaves it; closing the
            // epoll instance empties it), the slot's header, a pipe's state.
            function closeFD(fd) -> v, e {
                let d, t, ok := fdTable(fd)
                if iszero(ok) {
                    v, e := errno(9)
                    leave
                }
                let w := and(readMem(SYS_WATCH), not(shl(d, 1)))
                switch lt(d, 7)
                case 1 { t := or(t, shl(d, 1)) }
                default {
                    let ha := slotAddr(d)
                    let h := readMem(ha)
                    let k := and(shr(24, h), 7)
                    if eq(k, 1) {
                        w := 0
                        t := and(t, not(shl(23, 31)))
                    }
                    if gt(k, 2) {
                        // a pipe end: 3 read (bit 30), 4 write (bit 31)
                        let p := and(shr(28, h), 3)
                        let s := and(readMem(pipeAddr(p)), not(shl(add(27, k), 1)))
                        if iszero(and(s, 0xc0000000)) {
                            s := 0
                            t := and(t, not(shl(add(28, p), 1)))
                        }
                        writeMem(pipeAddr(p), s)
                    }
                    writeMem(ha, 0)
                    t := and(t, not(shl(d, 1)))
                }
                writeMem(SYS_WATCH, w)
                writeMem(SYS_FDT, t)
            }

            // The checks creating a descriptor starts with: flags outside allowed (EINVAL), then
            // the table word t and its lowest free slot i (none: EMFILE).
            function newSlot(flags, allowed) -> t, i, v, e {
                if and(flags, not(allowed)) {
                    v, e := errno(22)
                    leave
                }
                t := readMem(SYS_FDT)
                i := freeSlot(t, 0)
                if eq(i, 16) { v, e := errno(24) }
            }

            // epoll_create1(flags): EINVAL, one instance at a time (EMFILE), the lowest free slot.
            function epollCreate(flags) -> v, e {
                let t, i, v1, e1 := newSlot(flags, 0x80000)
                if e1 {
                    v, e := errno(v1)
                    leave
                }
                if and(shr(23, t), 31) {
                    v, e := errno(24)
                    leave
                }
                writeMem(slotAddr(add(7, i)), or(shl(24, 1), flags))
                writeMem(SYS_FDT, or(t, or(shl(add(7, i), 1), shl(23, add(i, 1)))))
                v := add(100, i)
            }

            // eventfd2(initval, flags): EINVAL, EMFILE, the lowest free slot with its counter.
            function eventfd2(initval, flags) -> v, e {
                let t, i, v1, e1 := newSlot(flags, 0x80081)
                if e1 {
                    v, e := errno(v1)
                    leave
                }
                writeMem(slotAddr(add(7, i)), or(shl(24, 2), flags))
                setCounter(add(7, i), initval)
                writeMem(SYS_FDT, or(t, shl(add(7, i), 1)))
                v := add(100, i)
            }

            // pipe2(fds, flags): EINVAL, two free slots (EMFILE), a free pipe (ENFILE), EFAULT.
            function pipe2(fds, flags) -> v, e {
                let t, r, v1, e1 := newSlot(flags, 0x80080)
                let w := freeSlot(t, add(r, 1))
                if e1 {
                    v, e := errno(v1)
                    leave
                }
                if gt(w, 15) {
                    v, e := errno(24)
                    leave
                }
                let p := 0
                for {} and(lt(p, 4), and(shr(add(28, p), t), 1)) {} { p := add(p, 1) }
                if eq(p, 4) {
                    v, e := errno(23)
                    leave
                }
                if iszero(guestPtr(fds, 8)) {
                    v, e := errno(14)
                    leave
                }
                let ph := or(shl(28, p), flags)
                writeMem(slotAddr(add(7, r)), or(shl(24, 3), ph))
                writeMem(slotAddr(add(7, w)), or(shl(24, 4), ph))
                writeMem(pipeAddr(p), 0xc0000000)
                writeMem(SYS_FDT, or(t, or(or(shl(add(7, r), 1), shl(add(7, w), 1)), shl(add(28, p), 1))))
                putWord(fds, add(100, r))
                putWord(add(fds, 4), add(100, w))
            }

            // read on a guest-created descriptor (open, n > 0, buf in range).
            function slotRead(d, h, buf, n) -> v, e {
                switch and(shr(24, h), 7)
                case 1 { v, e := errno(22) } // epoll
                case 4 { v, e := errno(9) } // a pipe's write end
                case 2 {
                    // eventfd: the counter, or 1 of it with EFD_SEMAPHORE
                    if lt(n, 8) {
                        v, e := errno(22)
                        leave
                    }
                    let c := counter(d)
                    if iszero(c) {
                        if iszero(and(h, 0x80)) { deadlock() }
                        v, e := errno(11)
                        leave
                    }
                    let x := c
                    if and(h, 1) { x := 1 }
                    setCounter(d, sub(c, x))
                    putWord(buf, u64Word(x, 0))
                    putWord(add(buf, 4), u64Word(x, 1))
                    v := 8
                }
                default {
                    // a pipe's read end
                    let pa := pipeAddr(and(shr(28, h), 3))
                    let s := readMem(pa)
                    let count := and(shr(16, s), 0x3fff)
                    if iszero(count) {
                        // end of file without a writer
                        if iszero(and(s, 0x80000000)) { leave }
                        if iszero(and(h, 0x80)) { deadlock() }
                        v, e := errno(11)
                        leave
                    }
                    let k := count
                    if lt(n, k) { k := n }
                    let head := and(s, 0xffff)
                    let p := and(shr(28, h), 3)
                    slotRing(p, head, k)
                    // Staged past the largest cache the call can fill, then copied as writeBytes.
                    let src := add(M_CACHE, shl(5, add(mload(M_CNT), add(shr(2, k), 8))))
                    ringToMem(p, head, k, src)
                    writeBytes(buf, src, k)
                    writeMem(pa, or(and(s, 0xc0000000), or(shl(16, sub(count, k)), and(add(head, k), 511))))
                    v := k
                }
            }

            // write on a guest-created descriptor (open, buf in range when n > 0); guests: see
            // write.
            function slotWrite(d, h, buf, n, guests) -> v, e {
                switch and(shr(24, h), 7)
                case 1 { v, e := errno(22) } // epoll
                case 3 { v, e := errno(9) } // a pipe's read end
                case 2 { v, e := eventfdWrite(d, h, buf, n) }
                default { v, e := pipeWrite(h, buf, n, guests) }
            }

            // eventfd: adds the u64 at buf; the counter stays below 2^64 - 1.
            function eventfdWrite(d, h, buf, n) -> v, e {
                if lt(n, 8) {
                    v, e := errno(22)
                    leave
                }
                let c := counter(d)
                // (Yul evaluates arguments right to left: the words are read in separate steps.)
                let x := shl(32, getWord(buf))
                x := or(x, getWord(add(buf, 4)))
                if iszero(mload(M_BE)) { x := or(shr(32, x), shl(32, and(x, 0xffffffff))) }
                if eq(x, 0xffffffffffffffff) {
                    v, e := errno(22)
                    leave
                }
                if iszero(lt(x, sub(0xffffffffffffffff, c))) {
                    if iszero(and(h, 0x80)) { deadlock() }
                    v, e := errno(11)
                    leave
                }
                setCounter(d, add(c, x))
                v := 8
            }

            // A pipe's write end: nothing for n = 0; SIGPIPE (fatal by default, else dropped) and
            // EPIPE without a reader; up to 512 bytes are atomic, more move what fits, and a
            // write that cannot complete waits (O_NONBLOCK: EAGAIN) forever.
            function pipeWrite(h, buf, n, guests) -> v, e {
                if iszero(n) { leave }
                let p := and(shr(28, h), 3)
                let s := readMem(pipeAddr(p))
                if iszero(and(s, 0x40000000)) {
                    if iszero(readMem(SYS_SIGPIPE)) {
                        v := 141
                        e := 2
                        leave
                    }
                    v, e := errno(32)
                    leave
                }
                let count := and(shr(16, s), 0x3fff)
                v := n
                if gt(n, sub(512, count)) {
                    if iszero(and(h, 0x80)) { deadlock() }
                    if or(iszero(gt(n, 512)), eq(count, 512)) {
                        v, e := errno(11)
                        leave
                    }
                    v := sub(512, count)
                }
                let tail := and(add(and(s, 0xffff), count), 511)
                slotRing(p, tail, v)
                // Staged past the largest cache the call can fill (v / 4 + 2 guest words).
                let src := add(M_CACHE, shl(5, add(mload(M_CNT), add(shr(2, v), 8))))
                let from := guests
                if gt(from, mload(M_CNT)) { from := mload(M_CNT) }
                guestToMem(buf, v, src, from)
                memToRing(p, tail, v, src)
                writeMem(pipeAddr(p), or(and(s, not(shl(16, 0x3fff))), shl(16, add(count, v))))
            }

            // writev's descriptor words, before the iovecs are read: the table for an initial
            // descriptor; SIGPIPE's handler and the header for a slot, then an eventfd's counter
            // or a pipe's state and (with a reader) every free byte of its buffer.
            function writevWords(fd) {
                let d := fdIndex(fd)
                if eq(d, 23) { leave }
                if lt(d, 7) {
                    pop(slot(SYS_FDT))
                    leave
                }
                pop(slot(SYS_SIGPIPE))
                let h := readMem(slotAddr(d))
                switch and(shr(24, h), 7)
                case 2 { pop(counter(d)) }
                case 4 {
                    let p := and(shr(28, h), 3)
                    let s := readMem(pipeAddr(p))
                    if and(s, 0x40000000) {
                        let count := and(shr(16, s), 0x3fff)
                        slotRing(p, and(add(and(s, 0xffff), count), 511), sub(512, count))
                    }
                }
            }

            function slotFcntl(d, h, cmd, arg) -> v, e {
                switch cmd
                case 1 { v := and(shr(19, h), 1) } // F_GETFD: FD_CLOEXEC
                case 2 { writeMem(slotAddr(d), or(and(h, not(0x80000)), shl(19, and(arg, 1)))) } // F_SETFD
                case 3 {
                    // F_GETFL: O_RDONLY (read end), O_WRONLY (write end), O_RDWR; O_NONBLOCK
                    v := 2
                    switch and(shr(24, h), 7)
                    case 3 { v := 0 }
                    case 4 { v := 1 }
                    v := or(v, and(h, 0x80))
                }
                case 4 { writeMem(slotAddr(d), or(and(h, not(0x80)), and(arg, 0x80))) } // F_SETFL
                default { v, e := errno(22) }
            }

            // epoll_ctl(epfd, op, fd, event): EFAULT (ADD, MOD and unknown ops), EBADF, EINVAL
            // (not the epoll instance, fd = epfd, EPOLLEXCLUSIVE's rules), then the operation:
            // EEXIST, ENOENT. The entry is proven when the operation may write it.
            function epollCtl(epfd, op, fd, ev) -> v, e {
                if and(iszero(eq(op, 2)), iszero(guestPtr(ev, 16))) {
                    v, e := errno(14)
                    leave
                }
                let de := fdIndex(epfd)
                let dt := fdIndex(fd)
                if or(eq(de, 23), eq(dt, 23)) {
                    v, e := errno(9)
                    leave
                }
                let t := readMem(SYS_FDT)
                if iszero(and(fdOpen(t, de), fdOpen(t, dt))) {
                    v, e := errno(9)
                    leave
                }
                if or(eq(de, dt), iszero(eq(fdEpoll(t), de))) {
                    v, e := errno(22)
                    leave
                }
                let w := readMem(SYS_WATCH)
                let watched := and(shr(dt, w), 1)
                let ea := entryAddr(dt)
                if or(and(eq(op, 1), iszero(watched)), and(eq(op, 3), watched)) {
                    pop(slot(ea))
                    pop(slot(add(ea, 4)))
                    pop(slot(add(ea, 8)))
                }
                let events := 0
                let lo := 0
                let hi := 0
                if iszero(eq(op, 2)) {
                    // struct epoll_event on o32: u32 events, padding, u64 data; EPOLLWAKEUP needs a
                    // capability the guest lacks and is dropped
                    events := and(getWord(ev), not(0x20000000))
                    lo := getWord(add(ev, 8))
                    hi := getWord(add(ev, 12))
                    if and(events, 0x10000000) {
                        if or(eq(op, 3), and(eq(op, 1), iszero(iszero(and(events, not(0xb000001d)))))) {
                            v, e := errno(22)
                            leave
                        }
                    }
                }
                switch op
                case 1 {
                    if watched {
                        v, e := errno(17)
                        leave
                    }
                    writeMem(ea, or(events, 0x18)) // EPOLLERR and EPOLLHUP are always reported
                    writeMem(add(ea, 4), lo)
                    writeMem(add(ea, 8), hi)
                    writeMem(SYS_WATCH, or(w, shl(dt, 1)))
                }
                case 2 {
                    if iszero(watched) {
                        v, e := errno(2)
                        leave
                    }
                    writeMem(SYS_WATCH, and(w, not(shl(dt, 1))))
                }
                case 3 {
                    if iszero(watched) {
                        v, e := errno(2)
                        leave
                    }
                    if and(readMem(ea), 0x10000000) {
                        v, e := errno(22)
                        leave
                    }
                    writeMem(ea, or(events, 0x18))
                    writeMem(add(ea, 4), lo)
                    writeMem(add(ea, 8), hi)
                }
                default { v, e := errno(22) }
            }

            // The epoll events descriptor d reports (its header and state proven already):
            // eventfd IN (count > 0), OUT (count < 2^64 - 2); a pipe's read end IN|RDNORM (bytes
            // buffered), HUP (no writer); its write end OUT|WRNORM (empty), ERR (no reader).
            function fdReady(d) -> r {
                if lt(d, 7) { leave }
                let h := readMem(slotAddr(d))
                let k := and(shr(24, h), 7)
                if eq(k, 2) {
                    let c := counter(d)
                    if c { r := 1 }
                    if lt(c, 0xfffffffffffffffe) { r := or(r, 4) }
                    leave
                }
                if lt(k, 3) { leave }
                let s := readMem(pipeAddr(and(shr(28, h), 3)))
                let count := and(shr(16, s), 0x3fff)
                switch k
                case 3 {
                    if count { r := 0x41 }
                    if iszero(and(s, 0x80000000)) { r := or(r, 0x10) }
                }
                default {
                    if iszero(count) { r := 0x104 }
                    if iszero(and(s, 0x40000000)) { r := or(r, 8) }
                }
            }

            // epoll_wait(epfd, events, maxevents): EINVAL, EFAULT, EBADF, EINVAL; then the ready
            // descriptors of the interest set in descriptor order, level-triggered, up to
            // maxevents (EPOLLONESHOT disables a reported entry). The system words are proven by
            // phase, each phase above the previous one: the interest set, the watched slots'
            // headers, eventfd counters, pipe states, then the entries; the events are written
            // after.
            function epollWait(epfd, events, max) -> v, e {
                if or(iszero(max), gt(max, 0x7ffffff)) {
                    v, e := errno(22)
                    leave
                }
                if iszero(guestPtr(events, shl(4, max))) {
                    v, e := errno(14)
                    leave
                }
                let de, t, ok := fdTable(epfd)
                if iszero(ok) {
                    v, e := errno(9)
                    leave
                }
                if iszero(eq(fdEpoll(t), de)) {
                    v, e := errno(22)
                    leave
                }
                let w := readMem(SYS_WATCH)
                for { let d := 7 } lt(d, 23) { d := add(d, 1) } {
                    if and(shr(d, w), 1) { pop(slot(slotAddr(d))) }
                }
                let pipes := 0
                for { let d := 7 } lt(d, 23) { d := add(d, 1) } {
                    if and(shr(d, w), 1) {
                        let h := readMem(slotAddr(d))
                        let k := and(shr(24, h), 7)
                        if eq(k, 2) { pop(counter(d)) }
                        if gt(k, 2) { pipes := or(pipes, shl(and(shr(28, h), 3), 1)) }
                    }
                }
                for { let p := 0 } lt(p, 4) { p := add(p, 1) } {
                    if and(shr(p, pipes), 1) { pop(slot(pipeAddr(p))) }
                }
                // Reported entries (events, data low, data high) are staged past the largest
                // cache the call can fill (69 entry words, 23 events of up to 8 words).
                let list := add(M_CACHE, shl(5, add(mload(M_CNT), 256)))
                for { let d := 0 } and(lt(d, 23), lt(v, max)) { d := add(d, 1) } {
                    if and(shr(d, w), 1) {
                        let r := fdReady(d)
                        if r {
                            let ea := entryAddr(d)
                            let ev := readMem(ea)
                            let rep := and(r, ev)
                            if rep {
                                let at := add(list, mul(96, v))
                                mstore(at, rep)
                                mstore(add(at, 0x20), readMem(add(ea, 4)))
                                mstore(add(at, 0x40), readMem(add(ea, 8)))
                                if and(ev, 0x40000000) { writeMem(ea, and(ev, 0xf0000000)) }
                                v := add(v, 1)
                            }
                        }
                    }
                }
                // Linux writes events and data, not the padding between them.
                for { let j := 0 } lt(j, v) { j := add(j, 1) } {
                    let at := add(list, mul(96, j))
                    let o := add(events, shl(4, j))
                    putWord(o, mload(at))
                    putWord(add(o, 8), mload(add(at, 0x20)))
                    putWord(add(o, 12), mload(add(at, 0x40)))
                }
            }

            // ================= step =================

            // Canonical calldata: stateData at 132 (226 bytes), proof at 420.
            if iszero(
                and(
                    and(eq(stateData.offset, CD_STATE), eq(stateData.length, 226)),
                    eq(proof.offset, CD_PROOF)
                )
            ) { fail(28, "MIPS: non-canonical calldata", 0) }
            calldatacopy(STATE, CD_STATE, 226)
            // r0 is zero in every state a machine can be in (witness.DecodeState, Restore).
            if reg(0) { fail(20, "MIPS: r0 is not zero", 0) }

            // An exited machine stays as it is.
            let exited := byte(0, mload(S_EXITED))
            if exited {
                if gt(exited, 1) { fail(25, "MIPS: invalid exited flag", 0) }
                mstore(0, stateHash())
                return(0, 0x20)
            }

            let nproofs := div(proof.length, PROOF_SIZE)
            if or(mod(proof.length, PROOF_SIZE), lt(nproofs, 2)) {
                fail(35, "MIPS: wrong number of memory pro", "ofs")
            }
            mstore(M_NDATA, sub(nproofs, 1))
            mstore(M_BE, be)

            // Fetch: proof #0 holds the instruction word at pc.
            let pc_ := rd32(S_PC)
            let root := mload(STATE)
            let insn := calldataload(CD_PROOF)
            if iszero(eq(pathRoot(CD_PROOF, pc_, insn), root)) { fail(31, "MIPS: invalid instruction proof", 0) }
            insn := leafWord(insn, pc_)

            // A misaligned or null pc faults before decoding (SIGBUS, then SIGSEGV).
            let sig := 0
            if lt(pc_, 0x1000) { sig := 11 }
            if and(pc_, 3) { sig := 10 }
            if iszero(sig) {
                switch and(insn, 0xfc00003f)
                case 12 {
                    // syscall: completes the step itself (v0/a3 and pc, or exit)
                    doSyscall(localContext, orc)
                }
                default {
                    let npc := rd32(S_NPC)
                    let npc2, nnpc
                    sig, npc2, nnpc := execute(insn, pc_, npc)
                    if iszero(sig) {
                        wr32(S_PC, npc2)
                        wr32(S_NPC, nnpc)
                        wr32(S_REGS, 0)
                    }
                }
            }
            if sig {
                // A fault ends the guest with 128 + signal; pc, registers and memory stay.
                mstore8(S_EXITED, 1)
                mstore8(S_EXITCODE, add(128, sig))
            }
            // Every step, faults and exits included, counts.
            mstore(S_STEP, or(and(mload(S_STEP), 0x0000000000000000ffffffffffffffffffffffffffffffffffffffffffffffff), shl(192, and(add(getStep(), 1), 0xffffffffffffffff))))

            mstore(STATE, commit(root, pc_))
            postState := stateHash()
            mstore(0, postState)
            return(0, 0x20)
        }
    }
}
