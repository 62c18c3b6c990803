// stdin: reads all of stdin with read(2) in odd-sized chunks, then counts
// bytes, lines and words and prints a checksum.
#include <stdio.h>
#include <stdint.h>
#include <unistd.h>

int main(void)
{
	static unsigned char buf[1000];
	uint64_t bytes = 0, lines = 0, words = 0;
	uint32_t crc = 0xffffffffu;
	int inword = 0;
	ssize_t n;
	while ((n = read(0, buf, sizeof buf - 7)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = buf[i];
			crc ^= c;
			for (int k = 0; k < 8; k++)
				crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
			lines += c == '\n';
			int sp = c == ' ' || c == '\n' || c == '\t';
			words += !sp && !inword;
			inword = !sp;
		}
		bytes += n;
	}
	if (n < 0) {
		perror("read");
		return 1;
	}
	printf("bytes=%llu lines=%llu words=%llu crc32=%08x\n", (unsigned long long)bytes, (unsigned long long)lines, (unsigned long long)words, ~crc);
	/* a read at end of input keeps returning 0 */
	printf("again=%zd\n", read(0, buf, 10));
	return 0;
}
