package asm

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zkmips/zkmips/internal/testutil"
	"github.com/zkmips/zkmips/program"
)

// encCase is one encoder method call. The harness assembles it in a fresh
// builder at chunk+0x10, with label "back" at chunk+0 and "fwd" at
// chunk+0x100; BACK and FWD in want and fields stand for those addresses.
type encCase struct {
	emit   func(b *Builder)
	op     program.Op
	fields string // space-separated rs= rt= rd= sa= imm= checks
	want   string // Inst.String(), which is also GNU as input
}

var encCases = []encCase{
	// SPECIAL shifts
	{func(b *Builder) { b.SLL(T2, T1, 31) }, program.OpSLL, "rd=10 rt=9 sa=31", "sll $t2, $t1, 31"},
	{func(b *Builder) { b.SRL(T2, T1, 1) }, program.OpSRL, "rd=10 rt=9 sa=1 rs=0", "srl $t2, $t1, 1"},
	{func(b *Builder) { b.SRA(V0, A0, 7) }, program.OpSRA, "rd=2 rt=4 sa=7", "sra $v0, $a0, 7"},
	{func(b *Builder) { b.ROTR(T2, T1, 8) }, program.OpROTR, "rd=10 rt=9 sa=8 rs=1", "rotr $t2, $t1, 8"},
	{func(b *Builder) { b.SLLV(T2, T1, T0) }, program.OpSLLV, "rd=10 rt=9 rs=8", "sllv $t2, $t1, $t0"},
	{func(b *Builder) { b.SRLV(T2, T1, T0) }, program.OpSRLV, "rd=10 rt=9 rs=8 sa=0", "srlv $t2, $t1, $t0"},
	{func(b *Builder) { b.SRAV(T2, T1, T0) }, program.OpSRAV, "rd=10 rt=9 rs=8", "srav $t2, $t1, $t0"},
	{func(b *Builder) { b.ROTRV(T2, T1, T0) }, program.OpROTRV, "rd=10 rt=9 rs=8 sa=1", "rotrv $t2, $t1, $t0"},
	// SPECIAL jumps, moves, system
	{func(b *Builder) { b.JR(RA) }, program.OpJR, "rs=31", "jr $ra"},
	{func(b *Builder) { b.JRHB(T9) }, program.OpJR, "rs=25", "jr.hb $t9"},
	{func(b *Builder) { b.JALR(RA, T9) }, program.OpJALR, "rs=25 rd=31", "jalr $ra, $t9"},
	{func(b *Builder) { b.JALR(S0, T9) }, program.OpJALR, "rs=25 rd=16", "jalr $s0, $t9"},
	{func(b *Builder) { b.JALRHB(S0, T9) }, program.OpJALR, "rs=25 rd=16", "jalr.hb $s0, $t9"},
	{func(b *Builder) { b.MOVZ(T2, T0, T1) }, program.OpMOVZ, "rd=10 rs=8 rt=9", "movz $t2, $t0, $t1"},
	{func(b *Builder) { b.MOVN(T2, T0, T1) }, program.OpMOVN, "rd=10 rs=8 rt=9", "movn $t2, $t0, $t1"},
	{func(b *Builder) { b.MOVF(T2, T0, 0) }, program.OpMOVF, "rd=10 rs=8 imm=0", "movf $t2, $t0, $fcc0"},
	{func(b *Builder) { b.MOVT(T2, T0, 7) }, program.OpMOVT, "rd=10 rs=8 imm=7", "movt $t2, $t0, $fcc7"},
	{func(b *Builder) { b.MOVF(A0, A1, 5) }, program.OpMOVF, "rd=4 rs=5 imm=5", "movf $a0, $a1, $fcc5"},
	{func(b *Builder) { b.SYSCALL() }, program.OpSYSCALL, "imm=0", "syscall"},
	{func(b *Builder) { b.SYSCALLCode(0x12345) }, program.OpSYSCALL, "imm=0x12345", "syscall 0x12345"},
	{func(b *Builder) { b.BREAK(0) }, program.OpBREAK, "imm=0", "break"},
	{func(b *Builder) { b.BREAK(7) }, program.OpBREAK, "imm=0x1c00", "break 0x7"},
	{func(b *Builder) { b.BREAK2(1, 2) }, program.OpBREAK, "imm=0x402", "break 0x1, 0x2"},
	{func(b *Builder) { b.BREAK2(0, 7) }, program.OpBREAK, "imm=7", "break 0x0, 0x7"},
	{func(b *Builder) { b.SYNC() }, program.OpSYNC, "sa=0", "sync"},
	{func(b *Builder) { b.SYNCType(0x10) }, program.OpSYNC, "sa=16", "sync 0x10"},
	{func(b *Builder) { b.MFHI(T0) }, program.OpMFHI, "rd=8", "mfhi $t0"},
	{func(b *Builder) { b.MTHI(T1) }, program.OpMTHI, "rs=9", "mthi $t1"},
	{func(b *Builder) { b.MFLO(T2) }, program.OpMFLO, "rd=10", "mflo $t2"},
	{func(b *Builder) { b.MTLO(T3) }, program.OpMTLO, "rs=11", "mtlo $t3"},
	{func(b *Builder) { b.MULT(A0, A1) }, program.OpMULT, "rs=4 rt=5", "mult $a0, $a1"},
	{func(b *Builder) { b.MULTU(A0, A1) }, program.OpMULTU, "rs=4 rt=5", "multu $a0, $a1"},
	{func(b *Builder) { b.DIV(A0, A1) }, program.OpDIV, "rs=4 rt=5 rd=0", "div $zero, $a0, $a1"},
	{func(b *Builder) { b.DIVU(A2, A3) }, program.OpDIVU, "rs=6 rt=7 rd=0", "divu $zero, $a2, $a3"},
	// SPECIAL three-register ALU
	{func(b *Builder) { b.ADD(T2, T0, T1) }, program.OpADD, "rd=10 rs=8 rt=9", "add $t2, $t0, $t1"},
	{func(b *Builder) { b.ADDU(T2, T0, T1) }, program.OpADDU, "rd=10 rs=8 rt=9", "addu $t2, $t0, $t1"},
	{func(b *Builder) { b.SUB(S0, S1, S2) }, program.OpSUB, "rd=16 rs=17 rt=18", "sub $s0, $s1, $s2"},
	{func(b *Builder) { b.SUBU(S7, T8, T9) }, program.OpSUBU, "rd=23 rs=24 rt=25", "subu $s7, $t8, $t9"},
	{func(b *Builder) { b.AND(K0, K1, GP) }, program.OpAND, "rd=26 rs=27 rt=28", "and $k0, $k1, $gp"},
	{func(b *Builder) { b.OR(SP, FP, RA) }, program.OpOR, "rd=29 rs=30 rt=31", "or $sp, $fp, $ra"},
	{func(b *Builder) { b.XOR(Zero, AT, V0) }, program.OpXOR, "rd=0 rs=1 rt=2", "xor $zero, $at, $v0"},
	{func(b *Builder) { b.NOR(V1, A0, A1) }, program.OpNOR, "rd=3 rs=4 rt=5", "nor $v1, $a0, $a1"},
	{func(b *Builder) { b.SLT(T4, T5, T6) }, program.OpSLT, "rd=12 rs=13 rt=14", "slt $t4, $t5, $t6"},
	{func(b *Builder) { b.SLTU(T7, S3, S4) }, program.OpSLTU, "rd=15 rs=19 rt=20", "sltu $t7, $s3, $s4"},
	// SPECIAL traps
	{func(b *Builder) { b.TGE(A0, A1, 0) }, program.OpTGE, "rs=4 rt=5 imm=0", "tge $a0, $a1"},
	{func(b *Builder) { b.TGEU(A0, A1, 7) }, program.OpTGEU, "rs=4 rt=5 imm=7", "tgeu $a0, $a1, 7"},
	{func(b *Builder) { b.TLT(A0, A1, 6) }, program.OpTLT, "rs=4 rt=5 imm=6", "tlt $a0, $a1, 6"},
	{func(b *Builder) { b.TLTU(A0, A1, 1) }, program.OpTLTU, "rs=4 rt=5 imm=1", "tltu $a0, $a1, 1"},
	{func(b *Builder) { b.TEQ(A1, Zero, 7) }, program.OpTEQ, "rs=5 rt=0 imm=7", "teq $a1, $zero, 7"},
	{func(b *Builder) { b.TNE(A0, A1, 1023) }, program.OpTNE, "rs=4 rt=5 imm=1023", "tne $a0, $a1, 1023"},
	// REGIMM
	{func(b *Builder) { b.BLTZ(A0, "fwd") }, program.OpBLTZ, "rs=4 imm=FWD", "bltz $a0, FWD"},
	{func(b *Builder) { b.BGEZ(A0, "back") }, program.OpBGEZ, "rs=4 imm=BACK", "bgez $a0, BACK"},
	{func(b *Builder) { b.BLTZL(S1, "fwd") }, program.OpBLTZL, "rs=17 imm=FWD", "bltzl $s1, FWD"},
	{func(b *Builder) { b.BGEZL(S1, "back") }, program.OpBGEZL, "rs=17 imm=BACK", "bgezl $s1, BACK"},
	{func(b *Builder) { b.BLTZAL(T0, "fwd") }, program.OpBLTZAL, "rs=8 imm=FWD", "bltzal $t0, FWD"},
	{func(b *Builder) { b.BGEZAL(T0, "back") }, program.OpBGEZAL, "rs=8 imm=BACK", "bgezal $t0, BACK"},
	{func(b *Builder) { b.BLTZALL(T0, "fwd") }, program.OpBLTZALL, "rs=8 imm=FWD", "bltzall $t0, FWD"},
	{func(b *Builder) { b.BGEZALL(T0, "back") }, program.OpBGEZALL, "rs=8 imm=BACK", "bgezall $t0, BACK"},
	{func(b *Builder) { b.TGEI(A0, -5) }, program.OpTGEI, "rs=4 imm=0xfffffffb", "tgei $a0, -5"},
	{func(b *Builder) { b.TGEIU(A0, 100) }, program.OpTGEIU, "rs=4 imm=100", "tgeiu $a0, 100"},
	{func(b *Builder) { b.TLTI(A0, -32768) }, program.OpTLTI, "rs=4 imm=0xffff8000", "tlti $a0, -32768"},
	{func(b *Builder) { b.TLTIU(A0, -1) }, program.OpTLTIU, "rs=4 imm=0xffffffff", "tltiu $a0, -1"},
	{func(b *Builder) { b.TEQI(A0, 0) }, program.OpTEQI, "rs=4 imm=0", "teqi $a0, 0"},
	{func(b *Builder) { b.TNEI(A0, 32767) }, program.OpTNEI, "rs=4 imm=32767", "tnei $a0, 32767"},
	{func(b *Builder) { b.SYNCI(-8, A0) }, program.OpSYNCI, "rs=4 imm=0xfffffff8", "synci -8($a0)"},
	// Jumps and branches
	{func(b *Builder) { b.J("fwd") }, program.OpJ, "imm=FWD", "j FWD"},
	{func(b *Builder) { b.JAL("back") }, program.OpJAL, "imm=BACK", "jal BACK"},
	{func(b *Builder) { b.BEQ(T0, T1, "fwd") }, program.OpBEQ, "rs=8 rt=9 imm=FWD", "beq $t0, $t1, FWD"},
	{func(b *Builder) { b.BNE(T0, T1, "back") }, program.OpBNE, "rs=8 rt=9 imm=BACK", "bne $t0, $t1, BACK"},
	{func(b *Builder) { b.BLEZ(A3, "fwd") }, program.OpBLEZ, "rs=7 rt=0 imm=FWD", "blez $a3, FWD"},
	{func(b *Builder) { b.BGTZ(A3, "back") }, program.OpBGTZ, "rs=7 rt=0 imm=BACK", "bgtz $a3, BACK"},
	{func(b *Builder) { b.BEQL(T0, T1, "fwd") }, program.OpBEQL, "rs=8 rt=9 imm=FWD", "beql $t0, $t1, FWD"},
	{func(b *Builder) { b.BNEL(T0, T1, "back") }, program.OpBNEL, "rs=8 rt=9 imm=BACK", "bnel $t0, $t1, BACK"},
	{func(b *Builder) { b.BLEZL(A3, "fwd") }, program.OpBLEZL, "rs=7 rt=0 imm=FWD", "blezl $a3, FWD"},
	{func(b *Builder) { b.BGTZL(A3, "back") }, program.OpBGTZL, "rs=7 rt=0 imm=BACK", "bgtzl $a3, BACK"},
	// Immediate ALU
	{func(b *Builder) { b.ADDI(T0, T1, -32768) }, program.OpADDI, "rt=8 rs=9 imm=0xffff8000", "addi $t0, $t1, -32768"},
	{func(b *Builder) { b.ADDIU(SP, SP, -32) }, program.OpADDIU, "rt=29 rs=29 imm=0xffffffe0", "addiu $sp, $sp, -32"},
	{func(b *Builder) { b.SLTI(T0, T1, 32767) }, program.OpSLTI, "rt=8 rs=9 imm=32767", "slti $t0, $t1, 32767"},
	{func(b *Builder) { b.SLTIU(T0, T1, -1) }, program.OpSLTIU, "rt=8 rs=9 imm=0xffffffff", "sltiu $t0, $t1, -1"},
	{func(b *Builder) { b.ANDI(T0, T1, 0xffff) }, program.OpANDI, "rt=8 rs=9 imm=0xffff", "andi $t0, $t1, 0xffff"},
	{func(b *Builder) { b.ORI(T0, T1, 0x8000) }, program.OpORI, "rt=8 rs=9 imm=0x8000", "ori $t0, $t1, 0x8000"},
	{func(b *Builder) { b.XORI(T0, T1, 0x1234) }, program.OpXORI, "rt=8 rs=9 imm=0x1234", "xori $t0, $t1, 0x1234"},
	{func(b *Builder) { b.LUI(T0, 0x8000) }, program.OpLUI, "rt=8 rs=0 imm=0x80000000", "lui $t0, 0x8000"},
	// SPECIAL2
	{func(b *Builder) { b.MADD(A0, A1) }, program.OpMADD, "rs=4 rt=5", "madd $a0, $a1"},
	{func(b *Builder) { b.MADDU(A0, A1) }, program.OpMADDU, "rs=4 rt=5", "maddu $a0, $a1"},
	{func(b *Builder) { b.MSUB(A0, A1) }, program.OpMSUB, "rs=4 rt=5", "msub $a0, $a1"},
	{func(b *Builder) { b.MSUBU(A0, A1) }, program.OpMSUBU, "rs=4 rt=5", "msubu $a0, $a1"},
	{func(b *Builder) { b.MUL(V0, A0, A1) }, program.OpMUL, "rd=2 rs=4 rt=5", "mul $v0, $a0, $a1"},
	{func(b *Builder) { b.CLZ(V0, A0) }, program.OpCLZ, "rd=2 rs=4 rt=2", "clz $v0, $a0"},
	{func(b *Builder) { b.CLO(T3, A0) }, program.OpCLO, "rd=11 rs=4 rt=11", "clo $t3, $a0"},
	// SPECIAL3
	{func(b *Builder) { b.EXT(T0, T1, 0, 32) }, program.OpEXT, "rt=8 rs=9 sa=0 rd=31 imm=0xffffffff", "ext $t0, $t1, 0, 32"},
	{func(b *Builder) { b.EXT(T0, T1, 31, 1) }, program.OpEXT, "rt=8 rs=9 sa=31 rd=0 imm=1", "ext $t0, $t1, 31, 1"},
	{func(b *Builder) { b.EXT(T0, T1, 3, 4) }, program.OpEXT, "rt=8 rs=9 sa=3 rd=3 imm=0xf", "ext $t0, $t1, 3, 4"},
	{func(b *Builder) { b.INS(T0, T1, 0, 32) }, program.OpINS, "rt=8 rs=9 sa=0 rd=31 imm=0xffffffff", "ins $t0, $t1, 0, 32"},
	{func(b *Builder) { b.INS(T0, T1, 31, 1) }, program.OpINS, "rt=8 rs=9 sa=31 rd=31 imm=0x80000000", "ins $t0, $t1, 31, 1"},
	{func(b *Builder) { b.INS(T0, T1, 4, 8) }, program.OpINS, "rt=8 rs=9 sa=4 rd=11 imm=0xff0", "ins $t0, $t1, 4, 8"},
	{func(b *Builder) { b.WSBH(V0, A0) }, program.OpWSBH, "rd=2 rt=4", "wsbh $v0, $a0"},
	{func(b *Builder) { b.SEB(V0, A0) }, program.OpSEB, "rd=2 rt=4", "seb $v0, $a0"},
	{func(b *Builder) { b.SEH(V0, A0) }, program.OpSEH, "rd=2 rt=4", "seh $v0, $a0"},
	{func(b *Builder) { b.RDHWR(V1, 29) }, program.OpRDHWR, "rt=3 rd=29", "rdhwr $v1, $29"},
	{func(b *Builder) { b.RDHWR(T0, 2) }, program.OpRDHWR, "rt=8 rd=2", "rdhwr $t0, $2"},
	// Loads and stores
	{func(b *Builder) { b.LB(T0, -1, A0) }, program.OpLB, "rt=8 rs=4 imm=0xffffffff", "lb $t0, -1($a0)"},
	{func(b *Builder) { b.LH(T0, 2, SP) }, program.OpLH, "rt=8 rs=29 imm=2", "lh $t0, 2($sp)"},
	{func(b *Builder) { b.LWL(T0, 3, A0) }, program.OpLWL, "rt=8 rs=4 imm=3", "lwl $t0, 3($a0)"},
	{func(b *Builder) { b.LW(RA, 28, SP) }, program.OpLW, "rt=31 rs=29 imm=28", "lw $ra, 28($sp)"},
	{func(b *Builder) { b.LBU(T0, 32767, A0) }, program.OpLBU, "rt=8 rs=4 imm=32767", "lbu $t0, 32767($a0)"},
	{func(b *Builder) { b.LHU(T0, -32768, A0) }, program.OpLHU, "rt=8 rs=4 imm=0xffff8000", "lhu $t0, -32768($a0)"},
	{func(b *Builder) { b.LWR(T0, 0, A0) }, program.OpLWR, "rt=8 rs=4 imm=0", "lwr $t0, 0($a0)"},
	{func(b *Builder) { b.SB(T0, 1, A0) }, program.OpSB, "rt=8 rs=4 imm=1", "sb $t0, 1($a0)"},
	{func(b *Builder) { b.SH(T0, -2, A0) }, program.OpSH, "rt=8 rs=4 imm=0xfffffffe", "sh $t0, -2($a0)"},
	{func(b *Builder) { b.SWL(T0, 3, A0) }, program.OpSWL, "rt=8 rs=4 imm=3", "swl $t0, 3($a0)"},
	{func(b *Builder) { b.SW(RA, 28, SP) }, program.OpSW, "rt=31 rs=29 imm=28", "sw $ra, 28($sp)"},
	{func(b *Builder) { b.SWR(T0, 0, A0) }, program.OpSWR, "rt=8 rs=4 imm=0", "swr $t0, 0($a0)"},
	{func(b *Builder) { b.LL(T0, 4, A0) }, program.OpLL, "rt=8 rs=4 imm=4", "ll $t0, 4($a0)"},
	{func(b *Builder) { b.SC(T0, 4, A0) }, program.OpSC, "rt=8 rs=4 imm=4", "sc $t0, 4($a0)"},
	{func(b *Builder) { b.PREF(0, 4, A0) }, program.OpPREF, "rt=0 rs=4 imm=4", "pref 0x0, 4($a0)"},
	{func(b *Builder) { b.PREF(30, -64, A1) }, program.OpPREF, "rt=30 rs=5 imm=0xffffffc0", "pref 0x1e, -64($a1)"},
	{func(b *Builder) { b.CACHE(0x14, 0, A0) }, program.OpPREF, "rt=20 rs=4 imm=0", "cache 0x14, 0($a0)"},
	{func(b *Builder) { b.LWC1(F0, 4, SP) }, program.OpLWC1, "rt=0 rs=29 imm=4", "lwc1 $f0, 4($sp)"},
	{func(b *Builder) { b.SWC1(F31, -4, A0) }, program.OpSWC1, "rt=31 rs=4 imm=0xfffffffc", "swc1 $f31, -4($a0)"},
	{func(b *Builder) { b.LDC1(F2, 8, SP) }, program.OpLDC1, "rt=2 rs=29 imm=8", "ldc1 $f2, 8($sp)"},
	{func(b *Builder) { b.SDC1(F30, 16, A0) }, program.OpSDC1, "rt=30 rs=4 imm=16", "sdc1 $f30, 16($a0)"},
	// COP1
	{func(b *Builder) { b.MFC1(V0, F12) }, program.OpMFC1, "rt=2 rd=12", "mfc1 $v0, $f12"},
	{func(b *Builder) { b.MTC1(A0, F1) }, program.OpMTC1, "rt=4 rd=1", "mtc1 $a0, $f1"},
	{func(b *Builder) { b.MFHC1(T0, F2) }, program.OpMFHC1, "rt=8 rd=2", "mfhc1 $t0, $f2"},
	{func(b *Builder) { b.MTHC1(T0, F4) }, program.OpMTHC1, "rt=8 rd=4", "mthc1 $t0, $f4"},
	{func(b *Builder) { b.CFC1(T0, 31) }, program.OpCFC1, "rt=8 rd=31", "cfc1 $t0, $31"},
	{func(b *Builder) { b.CTC1(T0, 25) }, program.OpCTC1, "rt=8 rd=25", "ctc1 $t0, $25"},
	{func(b *Builder) { b.BC1F(0, "fwd") }, program.OpBC1F, "sa=0 imm=FWD", "bc1f $fcc0, FWD"},
	{func(b *Builder) { b.BC1T(7, "back") }, program.OpBC1T, "sa=7 imm=BACK", "bc1t $fcc7, BACK"},
	{func(b *Builder) { b.BC1FL(1, "fwd") }, program.OpBC1FL, "sa=1 imm=FWD", "bc1fl $fcc1, FWD"},
	{func(b *Builder) { b.BC1TL(2, "back") }, program.OpBC1TL, "sa=2 imm=BACK", "bc1tl $fcc2, BACK"},
	// No-ops and pseudo-instructions
	{func(b *Builder) { b.NOP() }, program.OpSLL, "rd=0 rt=0 sa=0", "nop"},
	{func(b *Builder) { b.SSNOP() }, program.OpSLL, "rd=0 rt=0 sa=1", "ssnop"},
	{func(b *Builder) { b.EHB() }, program.OpSLL, "rd=0 rt=0 sa=3", "ehb"},
	{func(b *Builder) { b.MOVE(T0, T1) }, program.OpADDU, "rd=8 rs=9 rt=0", "addu $t0, $t1, $zero"},
	{func(b *Builder) { b.B("fwd") }, program.OpBEQ, "rs=0 rt=0 imm=FWD", "beq $zero, $zero, FWD"},
	{func(b *Builder) { b.BAL("back") }, program.OpBGEZAL, "rs=0 imm=BACK", "bgezal $zero, BACK"},
	// Raw words
	{func(b *Builder) { b.Word(0xfc000000) }, program.OpInvalid, "", ".word 0xfc000000"},
	{func(b *Builder) { b.Word(0x46020800) }, program.OpUnsupported, "", ".word 0x46020800 # add.s (FP arithmetic)"},
}

const (
	chunkSize = 0x200
	instOff   = 0x10
	fwdOff    = 0x100
)

// assembleCase builds case i in its own chunk and returns the chunk's
// words and base address.
func assembleCase(t *testing.T, bigEndian bool, i int, c encCase) ([]uint32, uint32) {
	t.Helper()
	b := New(bigEndian)
	b.TextBase = TextBase + uint32(i)*chunkSize
	b.Label("back")
	for b.Len() < instOff/4 {
		b.NOP()
	}
	c.emit(b)
	if b.Len() != instOff/4+1 {
		t.Fatalf("case %d (%s): emitted %d words, want 1", i, c.want, b.Len()-instOff/4)
	}
	for b.Len() < fwdOff/4 {
		b.NOP()
	}
	b.Label("fwd")
	for b.Len() < chunkSize/4 {
		b.NOP()
	}
	ws, err := b.Words()
	if err != nil {
		t.Fatalf("case %d (%s): %v", i, c.want, err)
	}
	return ws, b.TextBase
}

func expand(s string, base uint32) string {
	s = strings.ReplaceAll(s, "FWD", fmt.Sprintf("0x%x", base+fwdOff))
	return strings.ReplaceAll(s, "BACK", fmt.Sprintf("0x%x", base))
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	seen := map[program.Op]bool{}
	for i, c := range encCases {
		ws, base := assembleCase(t, true, i, c)
		pc := base + instOff
		in := program.Decode(ws[instOff/4], pc)
		seen[in.Op] = true
		want := expand(c.want, base)
		if in.Op != c.op {
			t.Errorf("%s: decoded op %v, want %v (word 0x%08x)", want, in.Op, c.op, in.Word)
		}
		if got := in.String(); got != want {
			t.Errorf("%s: disassembles as %q (word 0x%08x)", want, got, in.Word)
		}
		for _, kv := range strings.Fields(expand(c.fields, base)) {
			k, v, _ := strings.Cut(kv, "=")
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				t.Fatalf("bad field spec %q", kv)
			}
			var got uint32
			switch k {
			case "rs":
				got = uint32(in.Rs)
			case "rt":
				got = uint32(in.Rt)
			case "rd":
				got = uint32(in.Rd)
			case "sa":
				got = uint32(in.Sa)
			case "imm":
				got = in.Imm
			default:
				t.Fatalf("bad field %q", k)
			}
			if got != uint32(n) {
				t.Errorf("%s: field %s = 0x%x, want 0x%x (word 0x%08x)", want, k, got, n, in.Word)
			}
		}
	}
	for op := program.Op(0); op < program.NumOps; op++ {
		if !seen[op] {
			t.Errorf("no encoder case produces %v", op)
		}
	}
}

// TestKnownEncodings pins words whose encodings are well known (GNU as
// output for the same source).
func TestKnownEncodings(t *testing.T) {
	cases := []struct {
		emit func(b *Builder)
		want uint32
	}{
		{func(b *Builder) { b.ADDU(T2, T0, T1) }, 0x01095021},
		{func(b *Builder) { b.SYSCALL() }, 0x0000000c},
		{func(b *Builder) { b.JR(RA) }, 0x03e00008},
		{func(b *Builder) { b.JRHB(RA) }, 0x03e00408},
		{func(b *Builder) { b.JALR(RA, T9) }, 0x0320f809},
		{func(b *Builder) { b.LUI(AT, 0x1234) }, 0x3c011234},
		{func(b *Builder) { b.LW(T0, 4, SP) }, 0x8fa80004},
		{func(b *Builder) { b.SW(RA, 28, SP) }, 0xafbf001c},
		{func(b *Builder) { b.BREAK(7) }, 0x0007000d},
		{func(b *Builder) { b.TEQ(A1, Zero, 7) }, 0x00a001f4},
		{func(b *Builder) { b.RDHWR(V1, 29) }, 0x7c03e83b},
		{func(b *Builder) { b.EHB() }, 0x000000c0},
		{func(b *Builder) { b.SYNC() }, 0x0000000f},
		{func(b *Builder) { b.WSBH(V0, A0) }, 0x7c0410a0},
		{func(b *Builder) { b.CLZ(V0, A0) }, 0x70821020},
		{func(b *Builder) { b.MFC1(V0, F12) }, 0x44026000},
		{func(b *Builder) { b.LDC1(F0, 8, SP) }, 0xd7a00008},
		{func(b *Builder) { b.MOVF(T2, T0, 0) }, 0x01005001},
		{func(b *Builder) { b.INS(T0, T1, 31, 1) }, 0x7d28ffc4},
		{func(b *Builder) { b.EXT(T0, T1, 0, 32) }, 0x7d28f800},
		{func(b *Builder) { b.SYNCI(-8, A0) }, 0x049ffff8},
		{func(b *Builder) { b.SYSCALLCode(0x12345) }, 0x0048d14c},
	}
	for _, c := range cases {
		b := New(true)
		c.emit(b)
		ws, err := b.Words()
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) != 1 || ws[0] != c.want {
			in := program.Decode(c.want, TextBase)
			t.Errorf("%s: encoded as %08x, want %08x", in, ws, c.want)
		}
	}
}

func TestPseudoInstructions(t *testing.T) {
	b := New(false)
	b.LI(T0, 0x89abcdef)
	b.LA(A0, "msg")
	b.LA(A1, "here")
	b.Label("here")
	b.Exit(3)
	b.ExitReg(S1)
	b.WordAddr("here")
	b.Data("pad", []byte{1, 2, 3})
	b.Data("msg", []byte("hi"))
	ws, err := b.Words()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"lui $t0, 0x89ab", "ori $t0, $t0, 0xcdef",
		"lui $a0, 0x1000", "ori $a0, $a0, 0x8", // msg is 8-aligned after pad
		"lui $a1, 0x40", "ori $a1, $a1, 0x18",
		"addiu $a0, $zero, 3", "addiu $v0, $zero, 4246", "syscall",
		"addu $a0, $s1, $zero", "addiu $v0, $zero, 4246", "syscall",
	}
	if len(ws) != len(want)+1 {
		t.Fatalf("got %d words, want %d", len(ws), len(want)+1)
	}
	for i, w := range want {
		if got := program.Decode(ws[i], TextBase+4*uint32(i)).String(); got != w {
			t.Errorf("word %d: %q, want %q", i, got, w)
		}
	}
	if ws[len(want)] != 0x00400018 {
		t.Errorf("WordAddr: 0x%x, want 0x400018", ws[len(want)])
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		emit func(b *Builder)
		want string
	}{
		{"undefined", func(b *Builder) { b.B("nowhere") }, `undefined label "nowhere"`},
		{"duplicate", func(b *Builder) { b.Label("x"); b.Label("x") }, `label "x" defined twice`},
		{"branch range", func(b *Builder) { b.BEQ(T0, T1, "d"); b.Data("d", []byte{1}) }, "out of range"},
		{"jump region", func(b *Builder) { b.DataBase = 0x20000000; b.J("d"); b.Data("d", []byte{1}) }, "256 MiB region"},
		{"jump misaligned", func(b *Builder) { b.J("d"); b.Data("", []byte{1}); b.BSS("d", 0); b.DataBase = 0x00500001 }, "jump to misaligned"},
		{"branch misaligned", func(b *Builder) { b.B("d"); b.Data("", []byte{1}); b.BSS("d", 0); b.DataBase = 0x00500001 }, "branch to misaligned"},
		{"shift", func(b *Builder) { b.SLL(T0, T0, 32) }, "shift amount 32"},
		{"register", func(b *Builder) { b.ADDU(32, T0, T0) }, "register 32"},
		{"ext", func(b *Builder) { b.EXT(T0, T1, 31, 2) }, "ext position 31 size 2"},
		{"ins", func(b *Builder) { b.INS(T0, T1, 0, 0) }, "ins position 0 size 0"},
		{"trap code", func(b *Builder) { b.TEQ(T0, T1, 1024) }, "trap code 1024"},
		{"break code", func(b *Builder) { b.BREAK(1024) }, "break code 1024"},
		{"cc", func(b *Builder) { b.BC1T(8, "x"); b.Label("x") }, "condition code 8"},
		{"entry", func(b *Builder) { b.NOP(); b.Entry = "start" }, `undefined entry label "start"`},
	}
	for _, c := range cases {
		b := New(true)
		c.emit(b)
		_, err := b.Program()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if _, err2 := b.BuildELF(); err2 == nil {
			t.Errorf("%s: BuildELF succeeded", c.name)
		}
	}
}

// sample builds a program with text, data and BSS labels.
func sample(bigEndian bool) *Builder {
	b := New(bigEndian)
	b.Label("_start")
	b.LA(S0, "table")
	b.LW(T0, 4, S0)
	b.LA(S1, "counter")
	b.SW(T0, 0, S1)
	b.JAL("f")
	b.NOP()
	b.ExitReg(V0)
	b.Label("f")
	b.ADDIU(V0, T0, 1)
	b.JR(RA)
	b.NOP()
	b.DataWords("table", 10, 41, 12)
	b.Data("msg", []byte("hello"))
	b.BSS("counter", 4)
	b.BSS("buf", 100)
	b.Entry = "_start"
	return b
}

func TestProgramLayout(t *testing.T) {
	for _, be := range []bool{true, false} {
		t.Run(orderName(be), func(t *testing.T) {
			b := sample(be)
			p, err := b.Program()
			if err != nil {
				t.Fatal(err)
			}
			if p.BigEndian != be || p.Entry != TextBase {
				t.Errorf("BigEndian %v Entry 0x%x", p.BigEndian, p.Entry)
			}
			if len(p.Segments) != 2 {
				t.Fatalf("%d segments", len(p.Segments))
			}
			text, data := p.Segments[0], p.Segments[1]
			if text.Vaddr != TextBase || text.Memsz != 4*uint32(b.Len()) || len(text.Data) != int(text.Memsz) || text.Flags != PF_R|PF_X {
				t.Errorf("text segment %+v", text)
			}
			// table 12 bytes, msg at 16 (5 bytes), BSS from 24: counter 4, buf at 32 (100).
			if data.Vaddr != DataBase || len(data.Data) != 21 || data.Memsz != 132 || data.Flags != PF_R|PF_W {
				t.Errorf("data segment vaddr 0x%x filesz %d memsz %d flags %d", data.Vaddr, len(data.Data), data.Memsz, data.Flags)
			}
			if got := p.WordAt(DataBase + 4); got != 41 {
				t.Errorf("table[1] = %d in %s memory", got, orderName(be))
			}
			if string(data.Data[16:21]) != "hello" {
				t.Errorf("msg = %q", data.Data[16:21])
			}
			wantSyms := []program.Symbol{
				{Name: "_start", Addr: TextBase, Size: 4 * 11, Func: true},
				{Name: "f", Addr: TextBase + 4*11, Size: 12, Func: true},
				{Name: "table", Addr: DataBase, Size: 16},
				{Name: "msg", Addr: DataBase + 16, Size: 8},
				{Name: "counter", Addr: DataBase + 24, Size: 8},
				{Name: "buf", Addr: DataBase + 32, Size: 100},
			}
			if fmt.Sprint(p.Symbols) != fmt.Sprint(wantSyms) {
				t.Errorf("symbols\n got %v\nwant %v", p.Symbols, wantSyms)
			}
			if s, ok := p.SymbolAt(TextBase + 4*13); !ok || s.Name != "f" {
				t.Errorf("SymbolAt(f+4) = %v %v", s, ok)
			}
			if p.CodeBase != TextBase || len(p.Code) != b.Len() {
				t.Errorf("code base 0x%x len %d", p.CodeBase, len(p.Code))
			}
			if got := p.Code[3].String(); got != "lui $s1, 0x1000" {
				t.Errorf("code[3] = %q", got)
			}
			if got := p.Code[4].String(); got != "ori $s1, $s1, 0x18" {
				t.Errorf("code[4] = %q", got)
			}
			if got := p.Code[6].String(); got != fmt.Sprintf("jal 0x%x", TextBase+4*11) {
				t.Errorf("code[6] = %q", got)
			}
		})
	}
}

func orderName(be bool) string {
	if be {
		return "big"
	}
	return "little"
}

func TestELF(t *testing.T) {
	for _, be := range []bool{true, false} {
		t.Run(orderName(be), func(t *testing.T) {
			b := sample(be)
			p := b.MustProgram()
			img := b.ELF()
			f, err := elf.NewFile(bytes.NewReader(img))
			if err != nil {
				t.Fatal(err)
			}
			wantData := elf.ELFDATA2LSB
			var bo binary.ByteOrder = binary.LittleEndian
			if be {
				wantData, bo = elf.ELFDATA2MSB, binary.BigEndian
			}
			if f.Class != elf.ELFCLASS32 || f.Data != wantData || f.Type != elf.ET_EXEC || f.Machine != elf.EM_MIPS || f.Entry != uint64(p.Entry) || f.ByteOrder != bo {
				t.Errorf("header %+v", f.FileHeader)
			}
			if len(f.Progs) != len(p.Segments)+1 {
				t.Fatalf("%d program headers, want %d", len(f.Progs), len(p.Segments)+1)
			}
			if ph := f.Progs[len(f.Progs)-1]; ph.Type != elf.PT_MIPS_ABIFLAGS || ph.Filesz != 24 {
				t.Errorf("last program header %+v, want PT_MIPS_ABIFLAGS", ph.ProgHeader)
			} else {
				abi := make([]byte, 24)
				if _, err := ph.ReadAt(abi, 0); err != nil || abi[2] != 32 || abi[3] != 2 || abi[7] != 1 {
					t.Errorf("abiflags % x (%v)", abi, err)
				}
			}
			for i, ph := range f.Progs[:len(p.Segments)] {
				s := p.Segments[i]
				if ph.Type != elf.PT_LOAD || ph.Vaddr != uint64(s.Vaddr) || ph.Filesz != uint64(len(s.Data)) || ph.Memsz != uint64(s.Memsz) || uint32(ph.Flags) != s.Flags {
					t.Errorf("phdr %d: %+v, want segment vaddr 0x%x filesz %d memsz %d flags %d", i, ph.ProgHeader, s.Vaddr, len(s.Data), s.Memsz, s.Flags)
				}
				if ph.Off%ph.Align != ph.Vaddr%ph.Align {
					t.Errorf("phdr %d: offset 0x%x not congruent to vaddr 0x%x modulo 0x%x", i, ph.Off, ph.Vaddr, ph.Align)
				}
				got := make([]byte, ph.Filesz)
				if _, err := ph.ReadAt(got, 0); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, s.Data) {
					t.Errorf("phdr %d: contents differ", i)
				}
			}
			for _, name := range []string{".text", ".data", ".bss", ".MIPS.abiflags", ".symtab", ".strtab", ".shstrtab"} {
				if f.Section(name) == nil {
					t.Errorf("no %s section", name)
				}
			}
			if sec := f.Section(".text"); sec != nil {
				got, _ := sec.Data()
				if !bytes.Equal(got, p.Segments[0].Data) || sec.Addr != TextBase {
					t.Errorf(".text differs")
				}
			}
			syms, err := f.Symbols()
			if err != nil {
				t.Fatal(err)
			}
			if len(syms) != len(p.Symbols) {
				t.Fatalf("%d ELF symbols, want %d", len(syms), len(p.Symbols))
			}
			for i, s := range syms {
				w := p.Symbols[i]
				typ := elf.STT_OBJECT
				if w.Func {
					typ = elf.STT_FUNC
				}
				if s.Name != w.Name || s.Value != uint64(w.Addr) || s.Size != uint64(w.Size) || elf.ST_TYPE(s.Info) != typ || elf.ST_BIND(s.Info) != elf.STB_GLOBAL {
					t.Errorf("symbol %d: %+v, want %+v", i, s, w)
				}
				if sec := f.Sections[s.Section]; s.Value < sec.Addr || s.Value > sec.Addr+sec.Size {
					t.Errorf("symbol %s outside its section %s", s.Name, sec.Name)
				}
			}
		})
	}
}

func TestELFTextOnly(t *testing.T) {
	b := New(true)
	b.Exit(0)
	f, err := elf.NewFile(bytes.NewReader(b.ELF()))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Progs) != 2 || f.Progs[0].Filesz != 12 || f.Progs[1].Type != elf.PT_MIPS_ABIFLAGS || f.Section(".data") != nil {
		t.Errorf("text-only ELF: %d phdrs", len(f.Progs))
	}
}

// TestAgainstGNUAs assembles every encoder case's disassembly with GNU as
// (when a MIPS cross binutils is installed) and checks that it produces the
// builder's word: the encoder matches as, and the disassembler's output is
// valid as input for the same instruction.
func TestAgainstGNUAs(t *testing.T) {
	tools := testutil.NeedTools(t, "mips-linux-gnu-as", "mips-linux-gnu-ld")
	as, ld := tools[0], tools[1]
	for _, be := range []bool{true, false} {
		t.Run(orderName(be), func(t *testing.T) {
			var src strings.Builder
			src.WriteString("\t.set noreorder\n\t.text\n")
			var want []uint32
			for i, c := range encCases {
				ws, _ := assembleCase(t, be, i, c)
				want = append(want, ws...)
				text := c.want
				if j := strings.Index(text, " # "); j >= 0 {
					text = text[:j]
				}
				text = strings.ReplaceAll(text, "FWD", fmt.Sprintf("fwd%d", i))
				text = strings.ReplaceAll(text, "BACK", fmt.Sprintf("back%d", i))
				fmt.Fprintf(&src, "back%d:\n\t.fill %d, 4, 0\n\t%s\n\t.fill %d, 4, 0\nfwd%d:\n\t.fill %d, 4, 0\n",
					i, instOff/4, text, (fwdOff-instOff)/4-1, i, (chunkSize-fwdOff)/4)
			}
			dir := t.TempDir()
			s := filepath.Join(dir, "t.s")
			if err := os.WriteFile(s, []byte(src.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			endian := "-EL"
			if be {
				endian = "-EB"
			}
			o, exe := filepath.Join(dir, "t.o"), filepath.Join(dir, "t")
			if out, err := exec.Command(as, "-mips32r2", "-mno-shared", endian, "-o", o, s).CombinedOutput(); err != nil {
				t.Fatalf("as: %v\n%s", err, out)
			}
			script := filepath.Join(dir, "t.ld")
			if err := os.WriteFile(script, []byte(fmt.Sprintf("SECTIONS { .text 0x%x : { *(.text) } }\n", TextBase)), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(ld, endian, "-T", script, "-e", fmt.Sprint(TextBase), "-o", exe, o).CombinedOutput(); err != nil {
				t.Fatalf("ld: %v\n%s", err, out)
			}
			f, err := elf.Open(exe)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			text, err := f.Section(".text").Data()
			if err != nil {
				t.Fatal(err)
			}
			if len(text) < 4*len(want) {
				t.Fatalf("as produced %d bytes, want %d", len(text), 4*len(want))
			}
			for i, c := range encCases {
				k := (i*chunkSize + instOff) / 4
				if got := f.ByteOrder.Uint32(text[4*k:]); got != want[k] {
					t.Errorf("%s: as gives %08x, builder %08x", expand(c.want, TextBase+uint32(i)*chunkSize), got, want[k])
				}
			}
		})
	}
}

// TestELFRunsUnderQEMU runs a built ELF under qemu-user (when installed):
// a real kernel-style loader accepts the file and the program computes its
// exit code from data, BSS and a call.
func TestELFRunsUnderQEMU(t *testing.T) {
	for _, be := range []bool{true, false} {
		t.Run(orderName(be), func(t *testing.T) {
			name := "qemu-mipsel"
			if be {
				name = "qemu-mips"
			}
			qemu := testutil.NeedTools(t, name)[0]
			path := filepath.Join(t.TempDir(), "prog")
			if err := os.WriteFile(path, sample(be).ELF(), 0o755); err != nil {
				t.Fatal(err)
			}
			err := exec.Command(qemu, path).Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 42 {
				t.Fatalf("qemu run: %v, want exit status 42", err)
			}
		})
	}
}

// TestELFLoadsAsProgram checks that program.Load of the ELF image builds the
// same program as Program.
func TestELFLoadsAsProgram(t *testing.T) {
	for _, be := range []bool{true, false} {
		t.Run(orderName(be), func(t *testing.T) {
			b := sample(be)
			want := b.MustProgram()
			got, err := program.Load(b.ELF())
			if err != nil {
				t.Fatal(err)
			}
			if got.BigEndian != want.BigEndian || got.Entry != want.Entry || got.CodeBase != want.CodeBase {
				t.Errorf("loaded BigEndian %v Entry 0x%x CodeBase 0x%x, want %v 0x%x 0x%x", got.BigEndian, got.Entry, got.CodeBase, want.BigEndian, want.Entry, want.CodeBase)
			}
			if len(got.Segments) != len(want.Segments) {
				t.Fatalf("%d segments, want %d", len(got.Segments), len(want.Segments))
			}
			for i, s := range got.Segments {
				w := want.Segments[i]
				if s.Vaddr != w.Vaddr || s.Memsz != w.Memsz || s.Flags != w.Flags || !bytes.Equal(s.Data, w.Data) {
					t.Errorf("segment %d: vaddr 0x%x memsz %d flags %d filesz %d, want 0x%x %d %d %d", i, s.Vaddr, s.Memsz, s.Flags, len(s.Data), w.Vaddr, w.Memsz, w.Flags, len(w.Data))
				}
			}
			if fmt.Sprint(got.Symbols) != fmt.Sprint(want.Symbols) {
				t.Errorf("symbols\n got %v\nwant %v", got.Symbols, want.Symbols)
			}
			if fmt.Sprint(got.Code) != fmt.Sprint(want.Code) {
				t.Errorf("decoded code differs")
			}
		})
	}
}
