// r2: integer code gcc compiles to MIPS32r2 instructions (ext, ins, seb,
// seh, wsbh, rotr, clz, clo, madd, maddu, msub, mul, movz, movn) and divides
// guarded by teq. Every result is folded into a printed checksum.
#include <stdio.h>
#include <stdint.h>

static uint32_t seed = 0x12345678;

static uint32_t rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return seed ^ (seed >> 15);
}

struct bits {
	unsigned a : 3;
	unsigned b : 7;
	signed c : 5;
	unsigned d : 12;
	unsigned e : 5;
};

__attribute__((noinline)) static uint32_t bswap32(uint32_t x) { return __builtin_bswap32(x); }
__attribute__((noinline)) static uint16_t bswap16(uint16_t x) { return __builtin_bswap16(x); }
__attribute__((noinline)) static int clz(uint32_t x) { return x ? __builtin_clz(x) : 32; }
// gcc never emits clo by itself: use it through inline assembly.
__attribute__((noinline)) static int clo(uint32_t x)
{
	int n;
	__asm__("clo %0, %1" : "=r"(n) : "r"(x));
	return n;
}
__attribute__((noinline)) static uint32_t rotr(uint32_t x, unsigned n) { return (x >> (n & 31)) | (x << ((32 - n) & 31)); }
__attribute__((noinline)) static uint32_t rotr7(uint32_t x) { return (x >> 7) | (x << 25); }
__attribute__((noinline)) static int32_t sext8(uint32_t x) { return (int8_t)x; }
__attribute__((noinline)) static int32_t sext16(uint32_t x) { return (int16_t)x; }
__attribute__((noinline)) static uint32_t extract(uint32_t x) { return (x >> 9) & 0x7ff; }
__attribute__((noinline)) static uint32_t insert(uint32_t x, uint32_t y) { return (x & ~(0x3fu << 13)) | ((y & 0x3f) << 13); }
// One bitfield store at a time compiles to ins.
__attribute__((noinline)) static void setb(struct bits *p, uint32_t v) { p->b = v; }
__attribute__((noinline)) static void setd(struct bits *p, uint32_t v) { p->d = v; }
__attribute__((noinline)) static void sete(struct bits *p, uint32_t v) { p->e = v; }
__attribute__((noinline)) static uint32_t sel(uint32_t c, uint32_t a, uint32_t b) { return c ? a : b; }
__attribute__((noinline)) static uint32_t selz(uint32_t c, uint32_t a, uint32_t b) { return c == 0 ? a : b; }
__attribute__((noinline)) static int32_t mul32(int32_t a, int32_t b) { return a * b; }

__attribute__((noinline)) static int64_t dot(const int32_t *a, const int32_t *b, int n)
{
	int64_t acc = 0;
	for (int i = 0; i < n; i++)
		acc += (int64_t)a[i] * b[i];
	return acc;
}

__attribute__((noinline)) static uint64_t udot(const uint32_t *a, const uint32_t *b, int n)
{
	uint64_t acc = 0;
	for (int i = 0; i < n; i++)
		acc += (uint64_t)a[i] * b[i];
	return acc;
}

__attribute__((noinline)) static int64_t msubs(int64_t acc, const int32_t *a, const int32_t *b, int n)
{
	for (int i = 0; i < n; i++)
		acc -= (int64_t)a[i] * b[i];
	return acc;
}

__attribute__((noinline)) static int32_t sdiv(int32_t a, int32_t b) { return a / b; }
__attribute__((noinline)) static int32_t smod(int32_t a, int32_t b) { return a % b; }
__attribute__((noinline)) static uint32_t udiv(uint32_t a, uint32_t b) { return a / b; }
__attribute__((noinline)) static uint32_t umod(uint32_t a, uint32_t b) { return a % b; }

static uint32_t sum;

static void mix(const char *what, uint32_t v)
{
	sum = rotr(sum, 5) ^ v;
	(void)what;
}

int main(void)
{
	int32_t a[64], b[64];
	uint32_t ua[64], ub[64];
	for (int i = 0; i < 64; i++) {
		a[i] = (int32_t)rnd();
		b[i] = (int32_t)rnd();
		ua[i] = rnd();
		ub[i] = rnd();
	}
	printf("bswap32(0x11223344) = 0x%08x\n", bswap32(0x11223344));
	printf("bswap16(0xa1b2) = 0x%04x\n", bswap16(0xa1b2));
	printf("clz(1) = %d, clz(0x00800000) = %d, clz(0) = %d\n", clz(1), clz(0x00800000), clz(0));
	printf("clo(0xfff00000) = %d, clo(0) = %d\n", clo(0xfff00000u), clo(0));
	printf("rotr(0x80000001, 4) = 0x%08x, rotr7(0x12345678) = 0x%08x\n", rotr(0x80000001u, 4), rotr7(0x12345678));
	printf("sext8(0x1ff80) = %d, sext16(0x18000) = %d\n", sext8(0x1ff80), sext16(0x18000));
	printf("extract(0xdeadbeef) = 0x%x, insert(0xffffffff, 5) = 0x%08x\n", extract(0xdeadbeef), insert(0xffffffff, 5));
	printf("sdiv(-7, 2) = %d, smod(-7, 2) = %d, udiv(0xfffffff9, 2) = %u, umod(7, 3) = %u\n", sdiv(-7, 2), smod(-7, 2), udiv(0xfffffff9u, 2), umod(7, 3));
	printf("sdiv(INT_MIN, 1) = %d\n", sdiv(INT32_MIN, 1));

	for (int r = 0; r < 2000; r++) {
		uint32_t x = rnd(), y = rnd();
		struct bits bf;
		mix("bswap32", bswap32(x));
		mix("bswap16", bswap16((uint16_t)x));
		mix("clz", (uint32_t)clz(x >> (y & 31)));
		mix("clo", (uint32_t)clo(x | 0xff000000u << (y & 7)));
		mix("rotr", rotr(x, y));
		mix("rotr7", rotr7(x));
		mix("seb", (uint32_t)sext8(x));
		mix("seh", (uint32_t)sext16(y));
		mix("ext", extract(x));
		mix("ins", insert(x, y));
		mix("movn", sel(x & 1, x, y));
		mix("movz", selz(y & 2, x, y));
		mix("mul", (uint32_t)mul32((int32_t)x, (int32_t)y));
		bf.a = x;
		bf.b = x >> 3;
		bf.c = (int)y;
		bf.d = y >> 5;
		bf.e = x >> 20;
		bf.b += bf.a;
		bf.d ^= bf.e;
		setb(&bf, y);
		setd(&bf, x ^ y);
		sete(&bf, x >> 3);
		mix("bits", (uint32_t)bf.a + bf.b + (uint32_t)bf.c + bf.d + bf.e);
		if (y != 0) {
			mix("div", (uint32_t)sdiv((int32_t)x, (int32_t)(y | 1)));
			mix("mod", (uint32_t)smod((int32_t)x, (int32_t)(y >> (x & 15) | 1)));
			mix("divu", udiv(x, y >> (x & 31) | 1));
			mix("modu", umod(x, y >> 3 | 1));
		}
		if (r % 100 == 0) {
			int64_t d = dot(a, b, 64);
			uint64_t ud = udot(ua, ub, 64);
			int64_t ms = msubs(d, a, b, 32);
			mix("madd", (uint32_t)d ^ (uint32_t)(d >> 32));
			mix("maddu", (uint32_t)ud ^ (uint32_t)(ud >> 32));
			mix("msub", (uint32_t)ms ^ (uint32_t)(ms >> 32));
			a[r % 64] ^= (int32_t)x;
			ub[r % 64] += y;
		}
	}
	printf("dot = %lld, udot = %llu\n", (long long)dot(a, b, 64), (unsigned long long)udot(ua, ub, 64));
	printf("checksum = 0x%08x\n", sum);
	return 0;
}
