// args: prints argc, argv and the environment in order.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv, char **envp)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=\"%s\"\n", i, argv[i]);
	int n = 0;
	for (char **e = envp; *e; e++, n++)
		printf("env[%d]=\"%s\"\n", n, *e);
	const char *z = getenv("ZK_TEST");
	printf("getenv(ZK_TEST)=%s\n", z ? z : "(null)");
	return 0;
}
