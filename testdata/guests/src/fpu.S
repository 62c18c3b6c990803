# fpu: the FPU moves, loads and stores (FR=0 register pairs), FCSR and
# FCCR, and the condition-code branches and moves; no FP arithmetic.
	.include "check.inc"

	.macro	E reg, big, little
	.ifdef	BIG
	CHECK	\reg, \big
	.else
	CHECK	\reg, \little
	.endif
	.endm

	TEST_START
	la	$s0, dbl
	la	$s1, out

	li	$t0, 0x40490fdb
	mtc1	$t0, $f4
	mfc1	$t1, $f4
	CHECK	$t1, 0x40490fdb
	lwc1	$f5, 0($s0)
	mfc1	$t1, $f5
	E	$t1, 0x3ff80000, 0
	swc1	$f4, 0($s1)
	lw	$t1, 0($s1)
	CHECK	$t1, 0x40490fdb

	# ldc1: the even register gets the low word, the odd one the high
	ldc1	$f2, 0($s0)
	mfc1	$t1, $f2
	CHECK	$t1, 0
	mfc1	$t1, $f3
	CHECK	$t1, 0x3ff80000
	mfhc1	$t1, $f2
	CHECK	$t1, 0x3ff80000
	ldc1	$f6, 8($s0)
	mfc1	$t1, $f6
	CHECK	$t1, 0x89abcdef
	mfc1	$t1, $f7
	CHECK	$t1, 0x01234567
	li	$t0, 0xc0000000
	mthc1	$t0, $f2
	mfc1	$t1, $f3
	CHECK	$t1, 0xc0000000
	sdc1	$f2, 0($s1)
	lw	$t1, 0($s1)
	E	$t1, 0xc0000000, 0
	lw	$t1, 4($s1)
	E	$t1, 0, 0xc0000000
	sdc1	$f6, 8($s1)
	lw	$t1, 8($s1)
	E	$t1, 0x01234567, 0x89abcdef

	# FCSR: rounding mode and flag bits round-trip
	li	$t0, 0x00000003
	ctc1	$t0, $31
	cfc1	$t1, $31
	CHECK	$t1, 3
	ctc1	$zero, $31
	cfc1	$t1, $31
	CHECK	$t1, 0

	# FCCR: condition codes 0 and 2 set
	li	$t0, 5
	ctc1	$t0, $25
	cfc1	$t1, $25
	CHECK	$t1, 5
	cfc1	$t1, $31
	CHECK	$t1, 0x04800000
	li	$t2, 11
	li	$t3, 22
	move	$t4, $t2
	movt	$t4, $t3, $fcc0
	CHECK	$t4, 22
	move	$t4, $t2
	movf	$t4, $t3, $fcc0
	CHECK	$t4, 11
	move	$t4, $t2
	movf	$t4, $t3, $fcc1
	CHECK	$t4, 22
	move	$t4, $t2
	movt	$t4, $t3, $fcc2
	CHECK	$t4, 22

	li	$t0, 0
	bc1t	$fcc0, 1f
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 1
	li	$t0, 0
	bc1f	$fcc0, 1f
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 101
	li	$t0, 0
	bc1f	$fcc1, 1f
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 1
	li	$t0, 0
	bc1tl	$fcc1, 1f
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 100
	li	$t0, 0
	bc1fl	$fcc3, 1f
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 1
	ctc1	$zero, $25

	TEST_END

	.data
	.align	3
dbl:	.double	1.5
	.ifdef	BIG
	.word	0x01234567, 0x89abcdef
	.else
	.word	0x89abcdef, 0x01234567
	.endif
	.bss
	.align	3
out:	.space	16
