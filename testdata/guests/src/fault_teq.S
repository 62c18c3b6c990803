# fault_teq: a taken teq with code 0 (SIGTRAP).
	.include "fault.inc"
	FAULT	fault_teq
	li	$t0, 3
	li	$t1, 3
	teq	$t0, $t1
	NOT_REACHED
