/* hello-c: a static glibc zkmips example. It prints a greeting, the CRC-32 of
 * two strings (table-driven, built at run time), the number of primes below
 * 10000 (a sieve) and a few bit-manipulation results, so that a -O2
 * -march=mips32r2 build exercises MIPS32r2 instructions (ext, ins, seb, seh,
 * wsbh, rotr, clz, mul, divide with teq) besides libc. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc32(const char *s, size_t len)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < len; i++)
		c = crc_table[(c ^ (uint8_t)s[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static int count_primes(int limit)
{
	static unsigned char composite[10000];
	int count = 0;
	for (int i = 2; i < limit; i++) {
		if (composite[i])
			continue;
		count++;
		for (int j = i * i; j < limit; j += i)
			composite[j] = 1;
	}
	return count;
}

/* volatile inputs keep gcc from folding these at compile time. */
static volatile uint32_t seed = 0x12345678u;
static volatile int divisor = 7;

int main(void)
{
	const char *greeting = "hello from zkmips (C)";
	puts(greeting);

	crc_init();
	printf("crc32(\"123456789\") = %08x\n", (unsigned)crc32("123456789", 9));
	printf("crc32(greeting) = %08x\n", (unsigned)crc32(greeting, strlen(greeting)));
	printf("primes below 10000: %d\n", count_primes(10000));

	uint32_t x = seed;
	uint32_t field = (x >> 7) & 0x1FF;                  /* ext */
	uint32_t merged = (x & ~0xFF00u) | ((x & 0xFF) << 8); /* ins */
	int32_t sbyte = (int8_t)(x >> 16);                  /* seb */
	int32_t shalf = (int16_t)(x * 3);                   /* seh */
	uint32_t swapped = __builtin_bswap32(x);            /* wsbh + rotr */
	uint32_t rot = (x >> 13) | (x << 19);               /* rotr */
	int lz = __builtin_clz(x >> 3);                     /* clz */
	printf("bits: %x %x %d %d %08x %08x %d\n", (unsigned)field, (unsigned)merged,
	       (int)sbyte, (int)shalf, (unsigned)swapped, (unsigned)rot, lz);
	printf("div: %d %d\n", (int)(x / divisor), (int)(x % divisor));
	return 0;
}
