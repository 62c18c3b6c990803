// hello: stdio through glibc (printf, puts, putchar, fputs to stderr).
#include <stdio.h>

int main(void)
{
	puts("hello, world");
	printf("printf: %d %u %x %s %c %5.2s|\n", -42, 42u, 0xbeef, "str", 'c', "abc");
	printf("long long: %lld %llx\n", -1234567890123LL, 0x0123456789abcdefULL);
	for (int i = 0; i < 3; i++)
		putchar('a' + i);
	putchar('\n');
	fputs("to stderr\n", stderr);
	return 0;
}
