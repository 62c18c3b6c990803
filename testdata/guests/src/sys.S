# sys: the o32 syscall convention (result in v0, error flag in a3, fifth
# and sixth arguments on the stack), set_thread_area + rdhwr $29 (and the
# CPUNum and SYNCI_Step hardware registers), and an anonymous mmap.
	.include "check.inc"

	TEST_START
	# write(1, msg, len): v0 = len, a3 = 0
	li	$a0, 1
	la	$a1, msg
	li	$a2, 6
	SYS	4004
	CHECK	$v0, 6
	CHECK	$a3, 0
	# write(99, ...): EBADF
	li	$a0, 99
	la	$a1, msg
	li	$a2, 1
	SYS	4004
	CHECK	$v0, 9
	CHECK	$a3, 1
	# an unknown syscall: ENOSYS
	SYS	4999
	CHECK	$v0, 89
	CHECK	$a3, 1
	# read(0, buf, 16) at end of input: 0
	move	$a0, $zero
	la	$a1, buf
	li	$a2, 16
	SYS	4003
	CHECK	$v0, 0
	CHECK	$a3, 0

	# set_thread_area, then rdhwr $29 into two different registers
	li	$a0, 0x12345678
	SYS	4283
	CHECK	$v0, 0
	CHECK	$a3, 0
	.set	push
	.set	mips32r2
	rdhwr	$3, $29
	CHECK	$3, 0x12345678
	li	$a0, 0x7ff00010
	SYS	4283
	rdhwr	$t5, $29
	# CPUNum 0 and SYNCI_Step 32 bytes, as on qemu's 24Kf
	rdhwr	$t6, $0
	rdhwr	$t7, $1
	.set	pop
	CHECK	$t5, 0x7ff00010
	CHECK	$t6, 0
	CHECK	$t7, 32

	# brk(0) returns the current break (non-zero)
	move	$a0, $zero
	SYS	4045
	CHECK	$a3, 0
	sltu	$t0, $zero, $v0
	CHECK	$t0, 1

	# mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS,
	# -1, 0): fd and offset go on the stack at sp+16 and sp+20
	addiu	$sp, $sp, -32
	li	$t0, -1
	sw	$t0, 16($sp)
	sw	$zero, 20($sp)
	move	$a0, $zero
	li	$a1, 8192
	li	$a2, 3
	li	$a3, 0x802
	SYS	4210
	addiu	$sp, $sp, 32
	CHECK	$a3, 0
	move	$s0, $v0
	andi	$t0, $s0, 0xfff
	CHECK	$t0, 0
	lw	$t0, 0($s0)
	CHECK	$t0, 0
	lw	$t0, 8188($s0)
	CHECK	$t0, 0
	li	$t1, 0x5a5a5a5a
	sw	$t1, 4096($s0)
	lw	$t0, 4096($s0)
	CHECKR	$t0, $t1
	# munmap
	move	$a0, $s0
	li	$a1, 8192
	SYS	4091
	CHECK	$v0, 0
	CHECK	$a3, 0

	TEST_END

	.data
msg:	.ascii	"hello\n"
	.bss
buf:	.space	16
