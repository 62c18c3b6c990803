// cbench: a CPU-bound benchmark (sieve of Eratosthenes, table CRC32 and an
// integer matrix multiply). argv[1] scales the work (default 10: about 430
// million instructions).
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
		crc_table[i] = c;
	}
}

static uint32_t crc32(const unsigned char *p, size_t n, uint32_t crc)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static unsigned sieve(unsigned char *comp, unsigned n)
{
	memset(comp, 0, n);
	unsigned count = 0;
	for (unsigned i = 2; i < n; i++) {
		if (comp[i])
			continue;
		count++;
		for (unsigned j = i * 2; j < n; j += i)
			comp[j] = 1;
	}
	return count;
}

enum { M = 64 };
static int32_t A[M][M], B[M][M], C[M][M];

static uint32_t matmul(void)
{
	for (int i = 0; i < M; i++)
		for (int j = 0; j < M; j++) {
			int32_t s = 0;
			for (int k = 0; k < M; k++)
				s += A[i][k] * B[k][j];
			C[i][j] = s;
		}
	uint32_t h = 0;
	for (int i = 0; i < M; i++)
		for (int j = 0; j < M; j++)
			h = h * 31 + (uint32_t)C[i][j];
	return h;
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 10;
	crc_init();
	enum { N = 1 << 20 };
	unsigned char *buf = malloc(N);
	uint32_t x = 1;
	for (int i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (int i = 0; i < M; i++)
		for (int j = 0; j < M; j++) {
			A[i][j] = (int32_t)(i * 7 + j * 3) - 100;
			B[i][j] = (int32_t)(i ^ j) + 5;
		}
	uint32_t sum = 0;
	for (int r = 0; r < scale; r++) {
		sum = sum * 33 + sieve(buf, N);
		for (int i = 0; i < N; i++)
			buf[i] ^= (unsigned char)(i * 131 + r);
		sum ^= crc32(buf, N, sum);
		A[r % M][r % M] += r;
		sum += matmul();
	}
	printf("cbench scale=%d checksum=%08x\n", scale, sum);
	return 0;
}
