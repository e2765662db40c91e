/* ktest: on-target kernel tests and benchmarks, run on the host's request through debugd. */
#include "l4.h"

int main(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    for (;;)
        l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
}
