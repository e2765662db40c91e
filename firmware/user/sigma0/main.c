/*
 * sigma0: the root pager.  The kernel lets it touch, 1:1, all RAM it does not keep for itself,
 * the boot modules' images and the device window (the interrupt controller excepted), and it
 * hands those out on request: a page or a power-of-two block of RAM to one owner only, module
 * images to whoever asks (the root task maps them to the modules), each device page to one
 * owner.  A request it cannot grant gets a reply with no map item.
 */
#include "l4.h"

#define PAGES(bytes)    ((bytes) / L4_PAGE_SIZE)
#define MAX_RAM_PAGES   65536u              /* 256 MiB */
#define MAX_DEV_PAGES   16384u              /* 64 MiB */

static uint32_t ram_given[MAX_RAM_PAGES / 32];
static uint32_t dev_given[MAX_DEV_PAGES / 32];
static uint32_t next_free;                  /* search hint for "any page" */

static int test_and_set(uint32_t *bits, uint32_t i)
{
    uint32_t mask = 1u << (i % 32);
    int was = (bits[i / 32] & mask) != 0;

    bits[i / 32] |= mask;
    return was;
}

/* Claim [base, base + size) for one owner in `bits` (page index from `origin`). */
static int claim(uint32_t *bits, uint32_t origin, uint32_t base, uint32_t size)
{
    uint32_t first = PAGES(base - origin), n = PAGES(size);

    for (uint32_t i = 0; i < n; i++)
        if (bits[(first + i) / 32] & 1u << ((first + i) % 32))
            return 0;
    for (uint32_t i = 0; i < n; i++)
        test_and_set(bits, first + i);
    return 1;
}

/* The fpage to map for a request, or 0 when it cannot be granted. */
static uint32_t grant(uint32_t fpage)
{
    const struct l4_kip *kip = l4_kip();
    uint32_t log2 = L4_FPAGE_LOG2(fpage), base = L4_FPAGE_BASE(fpage);
    uint32_t rights = L4_FPAGE_RIGHTS(fpage) ? L4_FPAGE_RIGHTS(fpage) : L4_RWX;
    uint32_t size;
    const struct boot_module *first = &kip->boot.modules[0];

    if (base == SIGMA0_ANY_PAGE) {
        uint32_t n = PAGES(kip->free_size);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = (next_free + k) % n;
            if (!test_and_set(ram_given, i)) {
                next_free = i + 1;
                return L4_FPAGE(kip->free_base + i * L4_PAGE_SIZE, 12, L4_RWX);
            }
        }
        return 0;
    }
    if (log2 < 12 || log2 > 26)
        return 0;
    size = 1u << log2;
    base &= ~(size - 1);
    if (base >= kip->free_base && base - kip->free_base < kip->free_size &&
        size <= kip->free_size - (base - kip->free_base))
        return claim(ram_given, kip->free_base, base, size) ? L4_FPAGE(base, log2, rights) : 0;
    if (base >= first->phys && base < kip->boot.end && size <= kip->boot.end - base)
        return L4_FPAGE(base, log2, rights);
    if (base >= kip->rootfs_base && base - kip->rootfs_base < kip->rootfs_size &&
        size <= kip->rootfs_size - (base - kip->rootfs_base))
        return L4_FPAGE(base, log2, L4_READ);
    if (base >= kip->device_base && base - kip->device_base < kip->device_size &&
        size <= kip->device_size - (base - kip->device_base))
        return claim(dev_given, kip->device_base, base, size) ?
               L4_FPAGE(base, log2, rights & (L4_READ | L4_WRITE)) : 0;
    return 0;
}

int main(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err, fp;
    l4_tid_t client = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);

    for (;;) {
        uint32_t label = L4_TAG_LABEL(m.mr[0]);

        fp = 0;
        if (err == 0 && label == SIGMA0_LABEL_REQUEST && L4_TAG_UNTYPED(m.mr[0]) >= 1)
            fp = grant(m.mr[1]);
        else if (err == 0 && (label & 0xfff0u) == L4_LABEL_PAGEFAULT)
            fp = grant(L4_FPAGE(m.mr[1] & ~0xfffu, 12, L4_RWX));
        if (fp) {
            m.mr[0] = L4_TAG(0, 0, 2);
            m.mr[1] = L4_FPAGE_BASE(fp) | L4_ITEM_MAP;
            m.mr[2] = fp;
        } else {
            m.mr[0] = L4_TAG((label & 0xfff0u) == L4_LABEL_PAGEFAULT ? L4_LABEL_STOP : 0, 0, 0);
        }
        if (err)
            client = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
        else
            client = l4_reply_wait(client, &m, &err);
    }
}
