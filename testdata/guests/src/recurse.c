// recurse: deep recursion (Ackermann, a 100000-deep linear recursion and
// mutual recursion) on the default stack.
#include <stdio.h>

__attribute__((noinline)) static unsigned ack(unsigned m, unsigned n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

__attribute__((noinline)) static unsigned long long deep(int n, volatile char *pad)
{
	volatile char local[16];
	local[0] = (char)n;
	if (n == 0)
		return pad[0];
	return deep(n - 1, local) + local[0];
}

static int is_odd(unsigned n);
__attribute__((noinline)) static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
__attribute__((noinline)) static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

int main(void)
{
	for (unsigned m = 0; m <= 3; m++)
		for (unsigned n = 0; n <= 5; n++)
			printf("ack(%u,%u)=%u%c", m, n, ack(m, n), n == 5 ? '\n' : ' ');
	printf("ack(2,300)=%u ack(3,7)=%u\n", ack(2, 300), ack(3, 7));
	char pad[1] = {1};
	printf("deep=%llu\n", deep(100000, pad));
	printf("even(77777)=%d\n", is_even(77777));
	return 0;
}
