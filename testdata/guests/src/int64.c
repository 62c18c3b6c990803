// int64: long long arithmetic, including the libgcc helpers for division
// and modulo (__divdi3, __udivdi3, __moddi3, __umoddi3).
#include <stdio.h>
#include <stdint.h>

static uint64_t s = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	s ^= s << 7;
	s ^= s >> 9;
	return s;
}

__attribute__((noinline)) static int64_t sdiv(int64_t a, int64_t b) { return a / b; }
__attribute__((noinline)) static int64_t smod(int64_t a, int64_t b) { return a % b; }
__attribute__((noinline)) static uint64_t udiv(uint64_t a, uint64_t b) { return a / b; }
__attribute__((noinline)) static uint64_t umod(uint64_t a, uint64_t b) { return a % b; }
__attribute__((noinline)) static uint64_t mul(uint64_t a, uint64_t b) { return a * b; }
__attribute__((noinline)) static uint64_t shl(uint64_t a, int n) { return a << n; }
__attribute__((noinline)) static uint64_t shr(uint64_t a, int n) { return a >> n; }
__attribute__((noinline)) static int64_t sar(int64_t a, int n) { return a >> n; }

int main(void)
{
	printf("%lld %lld\n", sdiv(-1000000000000LL, 7), smod(-1000000000000LL, 7));
	printf("%llu %llu\n", udiv(0xffffffffffffffffULL, 10), umod(0xffffffffffffffffULL, 10));
	printf("%llx\n", mul(0x123456789abcdefULL, 0xfedcba987654321ULL));
	printf("%llx %llx %llx\n", shl(1, 40), shr(0x8000000000000000ULL, 63), (uint64_t)sar(INT64_MIN, 33));
	printf("%lld\n", sdiv(INT64_MIN, -1 + 2));
	uint64_t acc = 0;
	for (int i = 0; i < 20000; i++) {
		uint64_t a = rnd(), b = rnd() >> (i % 64);
		if (b == 0)
			b = 3;
		acc ^= mul(a, b) + udiv(a, b) + umod(a, b);
		acc += (uint64_t)sdiv((int64_t)a, (int64_t)b | 1) + (uint64_t)smod((int64_t)a, (int64_t)b | 1);
		acc = shl(acc, i & 63) | shr(acc, (64 - (i & 63)) & 63);
		acc ^= (uint64_t)sar((int64_t)acc, i % 61);
	}
	printf("acc=%016llx\n", (unsigned long long)acc);
	/* decimal formatting uses the helpers too */
	int64_t v = INT64_MAX;
	for (int i = 0; i < 5; i++, v /= 1000)
		printf("%lld ", (long long)v);
	printf("\n");
	return 0;
}
