/* A memory hog: takes memory a megabyte at a time, touching every page, until it is refused
 * (or killed, as Linux would kill it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    unsigned mb = 0;

    setvbuf(stdout, NULL, _IONBF, 0);
    for (;;) {
        char *p = malloc(1 << 20);
        if (!p) {
            printf("refused after %u MiB\n", mb);
            return 0;
        }
        memset(p, 1, 1 << 20);
        mb++;
    }
}
