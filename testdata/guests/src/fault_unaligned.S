# fault_unaligned: lw from an address that is not 4-byte aligned (SIGBUS).
	.include "fault.inc"
	FAULT	fault_unaligned
	la	$t0, word
	lw	$t1, 1($t0)
	NOT_REACHED
	.data
	.align	2
word:	.word	0x01020304, 0x05060708
