# fault_break7: break 7, the divide-by-zero break code (SIGFPE).
	.include "fault.inc"
	FAULT	fault_break7
	break	7
	NOT_REACHED
