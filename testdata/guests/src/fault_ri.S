# fault_ri: a reserved instruction (SPECIAL function 14, reserved in every
# MIPS32 and MIPS64 release): SIGILL.
	.include "fault.inc"
	FAULT	fault_ri
	.word	0x0000000e
	NOT_REACHED
