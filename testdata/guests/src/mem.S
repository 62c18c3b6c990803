# mem: loads and stores of every width and alignment, lwl/lwr/swl/swr at
# all four byte offsets (expected values per byte order), ll/sc.
	.include "check.inc"

	# E checks reg against the big-endian or little-endian expectation.
	.macro	E reg, big, little
	.ifdef	BIG
	CHECK	\reg, \big
	.else
	CHECK	\reg, \little
	.endif
	.endm

	# RESET copies the 16 pattern bytes into scratch.
	.macro	RESET
	la	$t8, pattern
	la	$t9, scratch
	lw	$t4, 0($t8)
	lw	$t5, 4($t8)
	lw	$t6, 8($t8)
	lw	$t7, 12($t8)
	sw	$t4, 0($t9)
	sw	$t5, 4($t9)
	sw	$t6, 8($t9)
	sw	$t7, 12($t9)
	.endm

	TEST_START
	la	$s0, pattern
	la	$s1, scratch

	# lw, lh, lhu, lb, lbu
	lw	$t0, 0($s0)
	E	$t0, 0x11223344, 0x44332211
	lw	$t0, 12($s0)
	E	$t0, 0xddeeff00, 0x00ffeedd
	lh	$t0, 8($s0)
	E	$t0, 0xffff99aa, 0xffffaa99
	lhu	$t0, 8($s0)
	E	$t0, 0x99aa, 0xaa99
	lh	$t0, 2($s0)
	E	$t0, 0x3344, 0x4433
	lh	$t0, 10($s0)
	E	$t0, 0xffffbbcc, 0xffffccbb
	lb	$t0, 8($s0)
	CHECK	$t0, 0xffffff99
	lbu	$t0, 8($s0)
	CHECK	$t0, 0x99
	lb	$t0, 1($s0)
	CHECK	$t0, 0x22
	lbu	$t0, 15($s0)
	CHECK	$t0, 0
	lb	$t0, 14($s0)
	CHECK	$t0, 0xffffffff
	addiu	$t1, $s0, 16
	lbu	$t0, -5($t1)
	CHECK	$t0, 0xcc
	lw	$t0, -8($t1)
	E	$t0, 0x99aabbcc, 0xccbbaa99
	lhu	$t0, -2($t1)
	E	$t0, 0xff00, 0x00ff

	# sb, sh, sw
	RESET
	li	$t0, 0xa1b2c3d4
	sb	$t0, 0($s1)
	CHECKMEM $s1, 0xd4, 0x22, 0x33, 0x44
	sb	$t0, 3($s1)
	CHECKMEM $s1, 0xd4, 0x22, 0x33, 0xd4
	sb	$zero, 1($s1)
	CHECKMEM $s1, 0xd4, 0x00, 0x33, 0xd4
	RESET
	sh	$t0, 0($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0xc3, 0xd4, 0x33, 0x44
	.else
	CHECKMEM $s1, 0xd4, 0xc3, 0x33, 0x44
	.endif
	sh	$t0, 2($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0xc3, 0xd4, 0xc3, 0xd4
	.else
	CHECKMEM $s1, 0xd4, 0xc3, 0xd4, 0xc3
	.endif
	sw	$t0, 4($s1)
	addiu	$t1, $s1, 4
	.ifdef	BIG
	CHECKMEM $t1, 0xa1, 0xb2, 0xc3, 0xd4
	.else
	CHECKMEM $t1, 0xd4, 0xc3, 0xb2, 0xa1
	.endif
	addiu	$t1, $s1, 16
	sw	$t0, -8($t1)
	lw	$t1, 8($s1)
	CHECKR	$t1, $t0
	lbu	$t1, 8($s1)
	E	$t1, 0xa1, 0xd4

	# lwl and lwr at each offset of the word 11 22 33 44, merging into
	# a0 b0 c0 d0
	li	$s2, 0xa0b0c0d0
	move	$t0, $s2
	lwl	$t0, 0($s0)
	E	$t0, 0x11223344, 0x11b0c0d0
	move	$t0, $s2
	lwl	$t0, 1($s0)
	E	$t0, 0x223344d0, 0x2211c0d0
	move	$t0, $s2
	lwl	$t0, 2($s0)
	E	$t0, 0x3344c0d0, 0x332211d0
	move	$t0, $s2
	lwl	$t0, 3($s0)
	E	$t0, 0x44b0c0d0, 0x44332211
	move	$t0, $s2
	lwr	$t0, 0($s0)
	E	$t0, 0xa0b0c011, 0x44332211
	move	$t0, $s2
	lwr	$t0, 1($s0)
	E	$t0, 0xa0b01122, 0xa0443322
	move	$t0, $s2
	lwr	$t0, 2($s0)
	E	$t0, 0xa0112233, 0xa0b04433
	move	$t0, $s2
	lwr	$t0, 3($s0)
	E	$t0, 0x11223344, 0xa0b0c044

	# an unaligned word load (ulw) at offsets 1, 2 and 3
	.macro	ULW reg, off, base
	.ifdef	BIG
	lwl	\reg, \off(\base)
	lwr	\reg, \off+3(\base)
	.else
	lwr	\reg, \off(\base)
	lwl	\reg, \off+3(\base)
	.endif
	.endm
	ULW	$t0, 1, $s0
	E	$t0, 0x22334455, 0x55443322
	ULW	$t0, 2, $s0
	E	$t0, 0x33445566, 0x66554433
	ULW	$t0, 7, $s0
	E	$t0, 0x8899aabb, 0xbbaa9988

	# swl and swr at each offset, storing a1 b2 c3 d4 over 11 22 33 44
	li	$t0, 0xa1b2c3d4
	RESET
	swl	$t0, 0($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0xa1, 0xb2, 0xc3, 0xd4
	.else
	CHECKMEM $s1, 0xa1, 0x22, 0x33, 0x44
	.endif
	RESET
	swl	$t0, 1($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0x11, 0xa1, 0xb2, 0xc3
	.else
	CHECKMEM $s1, 0xb2, 0xa1, 0x33, 0x44
	.endif
	RESET
	swl	$t0, 2($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0x11, 0x22, 0xa1, 0xb2
	.else
	CHECKMEM $s1, 0xc3, 0xb2, 0xa1, 0x44
	.endif
	RESET
	swl	$t0, 3($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0x11, 0x22, 0x33, 0xa1
	.else
	CHECKMEM $s1, 0xd4, 0xc3, 0xb2, 0xa1
	.endif
	RESET
	swr	$t0, 0($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0xd4, 0x22, 0x33, 0x44
	.else
	CHECKMEM $s1, 0xd4, 0xc3, 0xb2, 0xa1
	.endif
	RESET
	swr	$t0, 1($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0xc3, 0xd4, 0x33, 0x44
	.else
	CHECKMEM $s1, 0x11, 0xd4, 0xc3, 0xb2
	.endif
	RESET
	swr	$t0, 2($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0xb2, 0xc3, 0xd4, 0x44
	.else
	CHECKMEM $s1, 0x11, 0x22, 0xd4, 0xc3
	.endif
	RESET
	swr	$t0, 3($s1)
	.ifdef	BIG
	CHECKMEM $s1, 0xa1, 0xb2, 0xc3, 0xd4
	.else
	CHECKMEM $s1, 0x11, 0x22, 0x33, 0xd4
	.endif

	# an unaligned word store (usw) at offset 1, read back with lbu
	RESET
	.ifdef	BIG
	swl	$t0, 1($s1)
	swr	$t0, 4($s1)
	.else
	swr	$t0, 1($s1)
	swl	$t0, 4($s1)
	.endif
	lbu	$t1, 1($s1)
	E	$t1, 0xa1, 0xd4
	lbu	$t1, 4($s1)
	E	$t1, 0xd4, 0xa1
	addiu	$t1, $s1, 4
	.ifdef	BIG
	CHECKMEM $s1, 0x11, 0xa1, 0xb2, 0xc3
	CHECKMEM $t1, 0xd4, 0x66, 0x77, 0x88
	.else
	CHECKMEM $s1, 0x11, 0xd4, 0xc3, 0xb2
	CHECKMEM $t1, 0xa1, 0x66, 0x77, 0x88
	.endif
	ULW	$t2, 1, $s1
	CHECKR	$t2, $t0

	# ll/sc: an atomic increment loop, then an sc result check
	RESET
	li	$t2, 5
1:	ll	$t0, 0($s1)
	addiu	$t0, $t0, 1
	sc	$t0, 0($s1)
	beqz	$t0, 1b
	nop
	addiu	$t2, $t2, -1
	bnez	$t2, 1b
	nop
	lw	$t0, 0($s1)
	E	$t0, 0x11223349, 0x44332216
	ll	$t0, 4($s1)
	li	$t0, 77
	sc	$t0, 4($s1)
	CHECK	$t0, 1
	lw	$t0, 4($s1)
	CHECK	$t0, 77

	# a load into the register holding its base address
	la	$t3, pattern
	lw	$t3, 4($t3)
	E	$t3, 0x55667788, 0x88776655

	# a word store into the stack and back
	addiu	$sp, $sp, -16
	li	$t0, 0x0badf00d
	sw	$t0, 12($sp)
	lw	$t1, 12($sp)
	CHECKR	$t0, $t1
	addiu	$sp, $sp, 16

	TEST_END

	.data
	.align	4
pattern:
	.byte	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
	.byte	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00
	.bss
	.align	4
scratch:
	.space	64
