# fault_overflow: add overflowing (SIGFPE, integer overflow).
	.include "fault.inc"
	FAULT	fault_overflow
	li	$t0, 0x7fffffff
	li	$t1, 1
	add	$t2, $t0, $t1
	NOT_REACHED
