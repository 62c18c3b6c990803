// abort: prints, then calls abort() (SIGABRT: the shell sees 134).
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("about to abort\n");
	fflush(stdout);
	abort();
}
