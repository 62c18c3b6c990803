# fault_null: a load from address 0 (SIGSEGV).
	.include "fault.inc"
	FAULT	fault_null
	lw	$t0, 0($zero)
	NOT_REACHED
