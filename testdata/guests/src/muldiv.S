# muldiv: HI/LO multiply, divide and multiply-accumulate, and mul.
	.include "check.inc"

	TEST_START
	li	$s0, 0x12345678
	li	$s1, 0x9abcdef0
	mult	$s0, $s1
	CHECKHILO 0xf8cc93d6, 0x242d2080
	multu	$s0, $s1
	CHECKHILO 0x0b00ea4e, 0x242d2080
	li	$t0, -1
	mult	$t0, $t0
	CHECKHILO 0, 1
	multu	$t0, $t0
	CHECKHILO 0xfffffffe, 1
	li	$t1, 0x80000000
	mult	$t1, $t1
	CHECKHILO 0x40000000, 0
	mult	$t1, $zero
	CHECKHILO 0, 0

	# div: quotient in LO, remainder (sign of the dividend) in HI
	li	$t0, 100
	li	$t1, 7
	div	$zero, $t0, $t1
	CHECKHILO 2, 14
	li	$t0, -100
	div	$zero, $t0, $t1
	CHECKHILO -2, -14
	li	$t0, 100
	li	$t1, -7
	div	$zero, $t0, $t1
	CHECKHILO 2, -14
	li	$t0, -100
	div	$zero, $t0, $t1
	CHECKHILO -2, 14
	li	$t0, 0xfffffff0
	li	$t1, 7
	divu	$zero, $t0, $t1
	CHECKHILO 2, 0x24924922
	li	$t1, 0x80000000
	divu	$zero, $t0, $t1
	CHECKHILO 0x7ffffff0, 1
	# INT_MIN / -1 overflows (UNPREDICTABLE); like Linux on real cores
	# and qemu, expect LO = INT_MIN, HI = 0.
	li	$t0, 0x80000000
	li	$t1, -1
	div	$zero, $t0, $t1
	CHECKHILO 0, 0x80000000

	# mthi, mtlo
	li	$t0, 0x01234567
	mthi	$t0
	li	$t1, 0x89abcdef
	mtlo	$t1
	CHECKHILO 0x01234567, 0x89abcdef

	# madd, maddu, msub, msubu on HI:LO = 0x00000001_00000000
	li	$t0, 1
	mthi	$t0
	mtlo	$zero
	madd	$s0, $s1
	CHECKHILO 0xf8cc93d7, 0x242d2080
	mthi	$t0
	mtlo	$zero
	maddu	$s0, $s1
	CHECKHILO 0x0b00ea4f, 0x242d2080
	mthi	$t0
	mtlo	$zero
	msub	$s0, $s1
	CHECKHILO 0x07336c2a, 0xdbd2df80
	mthi	$t0
	mtlo	$zero
	msubu	$s0, $s1
	CHECKHILO 0xf4ff15b2, 0xdbd2df80
	# carry from LO into HI, wrap of the 64-bit accumulator
	li	$t0, -1
	mthi	$t0
	mtlo	$t0
	li	$t1, 1
	maddu	$t1, $t1
	CHECKHILO 0, 0
	msub	$t1, $t1
	CHECKHILO 0xffffffff, 0xffffffff
	msubu	$t0, $t0
	CHECKHILO 1, 0xfffffffe

	# mul: low word of the signed product; HI/LO not needed afterwards
	mul	$t2, $s0, $s1
	CHECK	$t2, 0x242d2080
	li	$t0, 0x7fffffff
	li	$t1, 3
	mul	$t2, $t0, $t1
	CHECK	$t2, 0x7ffffffd
	li	$t1, -3
	mul	$t2, $t1, $t1
	CHECK	$t2, 9
	mul	$t2, $t0, $zero
	CHECK	$t2, 0

	TEST_END
