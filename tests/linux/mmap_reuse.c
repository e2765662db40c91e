/* mmap without an address, many times over: the space munmap gives back is used again, and a
 * mapping never lands on the program, its heap or another mapping (it did once mmap's next
 * address went below them: a process that mapped and unmapped 8 MiB stacks long enough had its
 * own code overwritten). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SIZE (8u << 20)

static int marker = 42;

int main(void)
{
    char *heap = malloc(1 << 20);
    uintptr_t low = (uintptr_t)-1, high = 0;
    int overlaps = 0;

    memset(heap, 7, 1 << 20);
    for (int i = 0; i < 600; i++) {             /* 4.8 GiB mapped and unmapped in all */
        char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("mmap %d failed\n", i);
            return 1;
        }
        uintptr_t a = (uintptr_t)p;
        overlaps += (a <= (uintptr_t)&marker && (uintptr_t)&marker < a + SIZE) ||
                    (a < (uintptr_t)heap + (1 << 20) && (uintptr_t)heap < a + SIZE);
        low = a < low ? a : low;
        high = a > high ? a : high;
        p[0] = p[SIZE - 1] = 1;
        munmap(p, SIZE);
    }
    /* 120 at once: 960 MiB of addresses, then all given back */
    static char *held[120];
    int got = 0;
    for (int i = 0; i < 120; i++) {
        held[i] = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (held[i] == MAP_FAILED)
            break;
        held[i][0] = 1;
        got++;
    }
    for (int i = 0; i < got; i++)
        munmap(held[i], SIZE);
    printf("600 mappings made and unmapped: none over the program or its heap: %d\n", overlaps == 0);
    printf("the same few addresses reused: %d\n", high - low < 64u * SIZE);
    printf("120 held at once: %d; the program and its heap intact: %d\n", got,
           marker == 42 && heap[0] == 7 && heap[(1 << 20) - 1] == 7);
    return 0;
}
