# fault_break: break 0 (SIGTRAP).
	.include "fault.inc"
	FAULT	fault_break
	break
	NOT_REACHED
