// jmp: setjmp/longjmp (glibc's saves and restores the FP registers with
// sdc1/ldc1) out of nested calls, and sigsetjmp.
#include <stdio.h>
#include <setjmp.h>

static jmp_buf env;
static sigjmp_buf senv;
static volatile int depth;

__attribute__((noinline)) static void dive(int n)
{
	depth++;
	if (n > 0)
		dive(n - 1);
	else
		longjmp(env, depth);
	depth--; /* never reached */
}

int main(void)
{
	volatile int round = 0;
	int r = setjmp(env);
	printf("setjmp returned %d (round %d)\n", r, round);
	if (round < 5) {
		round++;
		depth = 0;
		dive(round * 10);
	}
	if (sigsetjmp(senv, 1) == 0) {
		printf("sigsetjmp first\n");
		siglongjmp(senv, 7);
	}
	printf("after siglongjmp\n");
	return 0;
}
