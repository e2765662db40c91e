/* peek ADDR [VALUE]: read the word at ADDR (hex) and print it, or write VALUE there.  An address
 * the process has no mapping for ends it with SIGSEGV (exit status 139 in the shell). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    volatile unsigned *p;

    if (argc < 2)
        return 2;
    p = (volatile unsigned *)strtoul(argv[1], NULL, 16);
    if (argc > 2) {
        *p = (unsigned)strtoul(argv[2], NULL, 16);
        printf("wrote %s\n", argv[1]);
    } else {
        printf("%08x\n", *p);
    }
    return 0;
}
