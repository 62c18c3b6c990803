// strmem: string and memory functions, qsort and the allocator (brk for
// small blocks, mmap for blocks above the 128 KiB threshold).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static uint32_t seed = 987654321;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static uint32_t fnv(const void *p, size_t n, uint32_t h)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	uint32_t h = 2166136261u;

	/* memcpy / memmove / memset / memcmp at every small alignment */
	static unsigned char buf[4096], dst[4096];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)rnd();
	for (int so = 0; so < 8; so++)
		for (int d = 0; d < 8; d++)
			for (size_t n = 0; n < 300; n += 7) {
				memcpy(dst + d, buf + so, n);
				if (memcmp(dst + d, buf + so, n) != 0) {
					printf("memcpy mismatch %d %d %zu\n", so, d, n);
					return 1;
				}
				h = fnv(dst, n + 16, h);
			}
	memcpy(dst, buf, sizeof dst);
	memmove(dst + 3, dst, 2000);
	h = fnv(dst, sizeof dst, h);
	memmove(dst, dst + 5, 3000);
	h = fnv(dst, sizeof dst, h);
	memset(dst + 1, 0xa5, 1001);
	h = fnv(dst, sizeof dst, h);
	printf("mem hash %08x\n", h);

	/* strings */
	char s[256];
	strcpy(s, "The quick brown fox");
	strcat(s, " jumps over the lazy dog");
	printf("strlen %zu, strchr %s, strrchr %s, strstr %s\n", strlen(s), strchr(s, 'q'), strrchr(s, 'o'), strstr(s, "lazy"));
	printf("strcmp %d %d %d, strncmp %d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0, strcmp("x", "x"), strncmp("abcdef", "abcxyz", 3));
	char *dup = strdup(s);
	for (char *p = dup; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 32;
	printf("upper %s\n", dup);
	free(dup);
	snprintf(s, sizeof s, "%s-%d-%08x", "fmt", 12345, 0xcafe);
	printf("snprintf %s, strtol %ld, strtoul %lu, atoi %d\n", s, strtol("-0x7fff", NULL, 16), strtoul("4294967295", NULL, 10), atoi("  -77x"));

	/* qsort numbers and strings */
	enum { N = 5000 };
	uint32_t *v = malloc(N * sizeof *v);
	for (int i = 0; i < N; i++)
		v[i] = rnd() % 100000;
	qsort(v, N, sizeof *v, cmp_u32);
	int sorted = 1;
	for (int i = 1; i < N; i++)
		sorted &= v[i - 1] <= v[i];
	printf("qsort sorted=%d min=%u median=%u max=%u hash=%08x\n", sorted, v[0], v[N / 2], v[N - 1], fnv(v, N * sizeof *v, 0));
	free(v);
	const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "kiwi", "date", "grape", "lemon", "mango"};
	char *w[10];
	for (int i = 0; i < 10; i++)
		w[i] = (char *)words[i];
	qsort(w, 10, sizeof w[0], cmp_str);
	for (int i = 0; i < 10; i++)
		printf("%s%c", w[i], i == 9 ? '\n' : ' ');

	/* allocator: many sizes, realloc growth, a large mmap'd block */
	void *blocks[200] = {0};
	for (int round = 0; round < 2000; round++) {
		int i = rnd() % 200;
		size_t n = (rnd() % 7 == 0) ? rnd() % 40000 : rnd() % 300;
		if (blocks[i] && (rnd() & 1)) {
			blocks[i] = realloc(blocks[i], n + 1);
		} else {
			free(blocks[i]);
			blocks[i] = malloc(n + 1);
		}
		memset(blocks[i], round & 0xff, n + 1);
	}
	for (int i = 0; i < 200; i++)
		free(blocks[i]);
	size_t big = 3 << 20; /* 3 MiB: above the mmap threshold */
	unsigned char *p = malloc(big);
	for (size_t i = 0; i < big; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	uint32_t bh = 0;
	for (size_t i = 0; i < big; i += 4096)
		bh = bh * 31 + p[i];
	p = realloc(p, big * 2);
	p[big * 2 - 1] = 7;
	bh += p[big * 2 - 1] + p[4096 * 5];
	free(p);
	char *grow = NULL;
	size_t len = 0;
	for (int i = 0; i < 1000; i++) {
		grow = realloc(grow, len + 10);
		len += sprintf(grow + len, "%d,", i % 97);
	}
	printf("big %08x grow len %zu hash %08x\n", bh, len, fnv(grow, len, 0));
	free(grow);
	void *c = calloc(1000, 300);
	printf("calloc zero %d\n", fnv(c, 300000, 0) == fnv(memset(malloc(300000), 0, 300000), 300000, 0));
	return 0;
}
