# branch: branches and jumps with their delay slots, branch-likely with
# annulled delay slots, and the link register of every linking branch.
	.include "check.inc"

	# Each macro counts in $t0: the delay slot adds 1 and the instruction
	# after it adds 100 (skipped when the branch is taken).
	.macro	TAKEN op, args:vararg
	li	$t0, 0
	\op	\args, .Lt\@
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
.Lt\@:	CHECK	$t0, 1
	.endm

	.macro	NOTTAKEN op, args:vararg
	li	$t0, 0
	\op	\args, .Ln\@
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
.Ln\@:	CHECK	$t0, 101
	.endm

	# Branch-likely not taken: the delay slot is annulled.
	.macro	ANNULLED op, args:vararg
	li	$t0, 0
	\op	\args, .La\@
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
.La\@:	CHECK	$t0, 100
	.endm

	# Linking branches write pc+8 to $ra, taken or not.
	.macro	LINKS op, rs, result
	li	$t0, 0
	move	$ra, $zero
.Lb\@:	\op	\rs, .Ll\@
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
.Ll\@:	CHECK	$t0, \result
	la	$t1, .Lb\@ + 8
	CHECKR	$ra, $t1
	.endm

	TEST_START
	li	$s0, 0
	li	$s1, 1
	li	$s2, -1
	li	$s3, 0x80000000
	li	$s4, 0x7fffffff

	TAKEN	beq, $s1, $s1
	NOTTAKEN beq, $s1, $s2
	TAKEN	beq, $zero, $s0
	TAKEN	bne, $s1, $s2
	NOTTAKEN bne, $s3, $s3
	TAKEN	blez, $s0
	TAKEN	blez, $s2
	TAKEN	blez, $s3
	NOTTAKEN blez, $s1
	NOTTAKEN blez, $s4
	TAKEN	bgtz, $s1
	TAKEN	bgtz, $s4
	NOTTAKEN bgtz, $s0
	NOTTAKEN bgtz, $s3
	TAKEN	bltz, $s2
	TAKEN	bltz, $s3
	NOTTAKEN bltz, $s0
	NOTTAKEN bltz, $s4
	TAKEN	bgez, $s0
	TAKEN	bgez, $s4
	NOTTAKEN bgez, $s2
	NOTTAKEN bgez, $s3
	TAKEN	beq, $zero, $zero
	TAKEN	beqz, $s0
	TAKEN	bnez, $s3

	# branch-likely
	TAKEN	beql, $s1, $s1
	ANNULLED beql, $s1, $s2
	TAKEN	bnel, $s1, $s2
	ANNULLED bnel, $s2, $s2
	TAKEN	blezl, $s0
	TAKEN	blezl, $s3
	ANNULLED blezl, $s1
	TAKEN	bgtzl, $s4
	ANNULLED bgtzl, $s0
	ANNULLED bgtzl, $s2
	TAKEN	bltzl, $s2
	ANNULLED bltzl, $s0
	TAKEN	bgezl, $s0
	ANNULLED bgezl, $s3

	# linking branches
	LINKS	bltzal, $s2, 1
	LINKS	bltzal, $s0, 101
	LINKS	bgezal, $s0, 1
	LINKS	bgezal, $s3, 101
	LINKS	bltzall, $s3, 1
	LINKS	bltzall, $s1, 100
	LINKS	bgezall, $s4, 1
	LINKS	bgezall, $s2, 100
	# bal is bgezal $zero
	li	$t0, 0
	bal	1f
	addiu	$t0, $t0, 1
2:	addiu	$t0, $t0, 100
1:	CHECK	$t0, 1
	la	$t1, 2b
	CHECKR	$ra, $t1

	# the delay slot sees the new $ra
	move	$ra, $zero
	bal	1f
	move	$t2, $ra
2:	nop
1:	la	$t1, 2b
	CHECKR	$t2, $t1

	# the branch compares its operands before the delay slot changes them
	li	$t0, 0
	li	$t3, 5
	beq	$t3, $t3, 1f
	li	$t3, 6
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 0
	CHECK	$t3, 6

	# backward branches: a counted loop, then the same with bnel
	li	$t1, 10
	li	$t0, 0
1:	addiu	$t1, $t1, -1
	bnez	$t1, 1b
	addiu	$t0, $t0, 2
	CHECK	$t0, 20
	li	$t1, 10
	li	$t0, 0
1:	addiu	$t1, $t1, -1
	bnel	$t1, $zero, 1b
	addiu	$t0, $t0, 2
	CHECK	$t0, 18

	# j, jal, jr, jalr (with $ra and with another link register)
	li	$t0, 0
	j	1f
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 1
	li	$t0, 0
	jal	add10
	addiu	$t0, $t0, 1
.Lret1:	CHECK	$t0, 11
	la	$t1, .Lret1
	CHECKR	$ra, $t1
	li	$t0, 0
	la	$t2, add10
	jalr	$t2
	addiu	$t0, $t0, 1
.Lret2:	CHECK	$t0, 11
	la	$t1, .Lret2
	CHECKR	$ra, $t1
	li	$t0, 0
	la	$t2, add10s5
	jalr	$s5, $t2
	addiu	$t0, $t0, 1
.Lret3:	CHECK	$t0, 11
	la	$t1, .Lret3
	CHECKR	$s5, $t1
	# jr: the delay slot cannot change the target
	li	$t0, 0
	la	$t2, 1f
	jr	$t2
	move	$t2, $zero
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 0
	# hazard-barrier forms
	li	$t0, 0
	la	$t2, 1f
	jr.hb	$t2
	addiu	$t0, $t0, 1
	addiu	$t0, $t0, 100
1:	CHECK	$t0, 1
	li	$t0, 0
	la	$t2, add10
	jalr.hb	$t2
	addiu	$t0, $t0, 1
.Lret4:	CHECK	$t0, 11
	la	$t1, .Lret4
	CHECKR	$ra, $t1
	# a computed jump table
	li	$t0, 0
	li	$t3, 2
	la	$t2, table
	sll	$t4, $t3, 2
	addu	$t2, $t2, $t4
	lw	$t2, 0($t2)
	jr	$t2
	nop
case0:	b	1f
	addiu	$t0, $t0, 10
case1:	b	1f
	addiu	$t0, $t0, 20
case2:	b	1f
	addiu	$t0, $t0, 30
1:	CHECK	$t0, 30
	# recursion through jal: sum 1..20
	li	$a0, 20
	bal	sum
	nop
	CHECK	$v0, 210

	TEST_END

add10:
	jr	$ra
	addiu	$t0, $t0, 10
add10s5:
	jr	$s5
	addiu	$t0, $t0, 10

	# sum(n) = n + sum(n-1), sum(0) = 0
sum:
	beqz	$a0, 1f
	move	$v0, $zero
	addiu	$sp, $sp, -8
	sw	$ra, 4($sp)
	sw	$a0, 0($sp)
	bal	sum
	addiu	$a0, $a0, -1
	lw	$a0, 0($sp)
	lw	$ra, 4($sp)
	addiu	$sp, $sp, 8
	addu	$v0, $v0, $a0
1:	jr	$ra
	nop

	.data
	.align	2
table:
	.word	case0, case1, case2
