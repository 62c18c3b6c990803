# alu: ALU, shift, bit-manipulation (MIPS32r2), conditional move, trap (not
# taken) and hint/barrier instructions.
	.include "check.inc"

	TEST_START
	# add, addi, addiu, addu, sub, subu without overflow
	li	$t0, 0x7fffffff
	addiu	$t1, $t0, 1
	CHECK	$t1, 0x80000000
	addu	$t2, $t0, $t0
	CHECK	$t2, 0xfffffffe
	addi	$t3, $t0, -1
	CHECK	$t3, 0x7ffffffe
	li	$t4, -5
	add	$t5, $t4, $t4
	CHECK	$t5, -10
	li	$t4, 0x80000000
	addi	$t5, $t4, 1
	CHECK	$t5, 0x80000001
	add	$t6, $t4, $t0
	CHECK	$t6, -1
	sub	$t6, $t4, $t5
	CHECK	$t6, -1
	sub	$t6, $t4, $zero
	CHECK	$t6, 0x80000000
	subu	$t6, $zero, $t0
	CHECK	$t6, 0x80000001
	subu	$t6, $zero, $t4
	CHECK	$t6, 0x80000000
	addiu	$t6, $zero, -32768
	CHECK	$t6, 0xffff8000
	addi	$t6, $t0, -32768
	CHECK	$t6, 0x7fff7fff

	# lui and the logical operations
	lui	$t0, 0xabcd
	CHECK	$t0, 0xabcd0000
	ori	$t0, $t0, 0x1234
	CHECK	$t0, 0xabcd1234
	andi	$t1, $t0, 0xff00
	CHECK	$t1, 0x1200
	xori	$t2, $t0, 0xffff
	CHECK	$t2, 0xabcdedcb
	li	$t3, 0x0f0f0f0f
	and	$t4, $t0, $t3
	CHECK	$t4, 0x0b0d0204
	or	$t4, $t0, $t3
	CHECK	$t4, 0xafcf1f3f
	xor	$t4, $t0, $t3
	CHECK	$t4, 0xa4c21d3b
	nor	$t4, $t0, $t3
	CHECK	$t4, 0x5030e0c0
	andi	$t4, $t0, 0
	CHECK	$t4, 0

	# set-on-less-than
	li	$t0, -1
	li	$t1, 1
	slt	$t2, $t0, $t1
	CHECK	$t2, 1
	sltu	$t2, $t0, $t1
	CHECK	$t2, 0
	slt	$t2, $t1, $t1
	CHECK	$t2, 0
	slti	$t2, $t0, 0
	CHECK	$t2, 1
	slti	$t2, $t1, -1
	CHECK	$t2, 0
	sltiu	$t2, $t1, -1
	CHECK	$t2, 1
	sltiu	$t2, $t0, -1
	CHECK	$t2, 0
	sltiu	$t2, $zero, 1
	CHECK	$t2, 1

	# shifts and rotates
	li	$t0, 0x80000011
	sll	$t1, $t0, 4
	CHECK	$t1, 0x00000110
	srl	$t1, $t0, 4
	CHECK	$t1, 0x08000001
	sra	$t1, $t0, 4
	CHECK	$t1, 0xf8000001
	sll	$t1, $t0, 31
	CHECK	$t1, 0x80000000
	srl	$t1, $t0, 31
	CHECK	$t1, 1
	sra	$t1, $t0, 31
	CHECK	$t1, 0xffffffff
	li	$t2, 36
	sllv	$t1, $t0, $t2
	CHECK	$t1, 0x00000110
	srlv	$t1, $t0, $t2
	CHECK	$t1, 0x08000001
	srav	$t1, $t0, $t2
	CHECK	$t1, 0xf8000001
	rotr	$t1, $t0, 4
	CHECK	$t1, 0x18000001
	rotr	$t1, $t0, 0
	CHECK	$t1, 0x80000011
	rotr	$t1, $t0, 31
	CHECK	$t1, 0x00000023
	rotrv	$t1, $t0, $t2
	CHECK	$t1, 0x18000001
	li	$t2, 32
	rotrv	$t1, $t0, $t2
	CHECK	$t1, 0x80000011
	sllv	$t1, $t0, $t2
	CHECK	$t1, 0x80000011

	# clz, clo
	li	$t0, 0x00010000
	clz	$t1, $t0
	CHECK	$t1, 15
	clz	$t1, $zero
	CHECK	$t1, 32
	li	$t0, 0x80000000
	clz	$t1, $t0
	CHECK	$t1, 0
	li	$t0, 0xfffe0000
	clo	$t1, $t0
	CHECK	$t1, 15
	li	$t0, -1
	clo	$t1, $t0
	CHECK	$t1, 32
	clo	$t1, $zero
	CHECK	$t1, 0

	# seb, seh, wsbh
	li	$t0, 0x1234567f
	seb	$t1, $t0
	CHECK	$t1, 0x7f
	li	$t0, 0x12345680
	seb	$t1, $t0
	CHECK	$t1, 0xffffff80
	li	$t0, 0x12348000
	seh	$t1, $t0
	CHECK	$t1, 0xffff8000
	li	$t0, 0x12347fff
	seh	$t1, $t0
	CHECK	$t1, 0x7fff
	li	$t0, 0x11223344
	wsbh	$t1, $t0
	CHECK	$t1, 0x22114433

	# ext, ins
	li	$t0, 0xdeadbeef
	ext	$t1, $t0, 4, 8
	CHECK	$t1, 0xee
	ext	$t1, $t0, 0, 32
	CHECK	$t1, 0xdeadbeef
	ext	$t1, $t0, 31, 1
	CHECK	$t1, 1
	ext	$t1, $t0, 16, 16
	CHECK	$t1, 0xdead
	ext	$t1, $t0, 0, 1
	CHECK	$t1, 1
	li	$t1, 0xffffffff
	li	$t2, 0x5
	ins	$t1, $t2, 8, 4
	CHECK	$t1, 0xfffff5ff
	move	$t1, $zero
	ins	$t1, $t0, 0, 32
	CHECK	$t1, 0xdeadbeef
	li	$t1, 0x12345678
	ins	$t1, $zero, 28, 4
	CHECK	$t1, 0x02345678
	ins	$t1, $t2, 31, 1
	CHECK	$t1, 0x82345678
	ins	$t1, $t0, 0, 1
	CHECK	$t1, 0x82345679

	# movz, movn
	li	$t0, 5
	li	$t1, 7
	move	$t2, $t0
	movz	$t2, $t1, $zero
	CHECK	$t2, 7
	move	$t2, $t0
	movn	$t2, $t1, $zero
	CHECK	$t2, 5
	movn	$t2, $t1, $t0
	CHECK	$t2, 7
	move	$t2, $t0
	movz	$t2, $t1, $t0
	CHECK	$t2, 5

	# writes to $zero are discarded
	addiu	$zero, $zero, 5
	CHECK	$zero, 0
	lui	$zero, 1
	CHECK	$zero, 0
	move	$t0, $zero
	CHECK	$t0, 0

	# traps, none taken
	li	$t0, 5
	li	$t1, 7
	li	$t3, -1
	teq	$t0, $t1
	tne	$t0, $t0
	tge	$t0, $t1
	tgeu	$t0, $t1
	tlt	$t1, $t0
	tltu	$t1, $t0
	tltu	$t3, $t0
	tge	$t3, $t0
	tlt	$t0, $t3
	teq	$t0, $t1, 7
	teqi	$t0, 6
	tnei	$t0, 5
	tgei	$t0, 6
	tgeiu	$t0, 6
	tgeiu	$t0, -1
	tlti	$t0, 5
	tltiu	$t0, 5
	tltiu	$t3, -2
	CHECK	$t0, 5

	# hints and barriers
	sync
	sync	0x10
	pref	0, 0($sp)
	pref	1, -64($sp)
	ehb
	ssnop
	nop
	la	$t0, _start
	synci	0($t0)
	la	$t1, _start
	CHECKR	$t0, $t1

	TEST_END
