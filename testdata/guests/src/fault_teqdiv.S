# fault_teqdiv: a taken teq with code 7, the check gcc places after a
# divide (SIGFPE, integer divide by zero).
	.include "fault.inc"
	FAULT	fault_teqdiv
	li	$t0, 10
	move	$t1, $zero
	div	$zero, $t0, $t1
	teq	$zero, $t1, 7
	NOT_REACHED
