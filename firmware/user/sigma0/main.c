/*
 * sigma0: the root pager.  The kernel lets it touch, 1:1, all RAM it does not keep for itself,
 * the boot modules' images and the device window (the interrupt controller excepted), and it
 * hands those out by the root task's policy, never to whoever asks:
 *  - the root task may have anything: RAM, module images, devices;
 *  - any other thread only what its client entry allows.  The root task names each client by
 *    a range of thread numbers (the kernel gives each domain its own, so a thread cannot pose
 *    as another's) with SIGMA0_LABEL_POLICY, before it starts the client: a RAM quota in
 *    pages, reserved on the spot (what one client has not taken yet is never given to
 *    another), a device window, whether it may read the root file system's flash, and whether
 *    it may read and program the persistent disk's;
 *  - a thread no entry names gets nothing.
 * A page or block of RAM goes to one owner; a device page too.  SIGMA0_LABEL_RELEASE (root task
 * only) takes back all a client had, once the root task has deleted it, and unmaps it from
 * sigma0's own space too (the kernel's nodes for it go back to the root domain's pool).  A
 * request it cannot grant gets a reply with no map item.  Requests are at most SIGMA0_MAX_LOG2
 * bytes: the kernel maps that much in one bounded step.
 */
#include "board.h"
#include "l4.h"

#define PAGES(bytes)    ((bytes) / L4_PAGE_SIZE)
#define MAX_RAM_PAGES   65536u              /* 256 MiB */
#define MAX_DEV_PAGES   16384u              /* 64 MiB */
#define MAX_CLIENTS     16u
#define ROOT_OWNER      0xffu               /* owner[] value of the root task's pages */
#define FREE            0u

struct client {
    uint32_t first, count;                  /* thread numbers */
    uint32_t quota, used;                   /* RAM pages */
    uint32_t dev_base, dev_size;
    uint32_t flags;                         /* SIGMA0_ALLOW_* */
};

static struct client clients[MAX_CLIENTS];
static unsigned nclients;
static uint8_t ram_owner[MAX_RAM_PAGES];    /* FREE, a client index + 1, or ROOT_OWNER */
static uint8_t dev_owner[MAX_DEV_PAGES];
static uint32_t ram_free, reserved;         /* pages free; of those, promised to clients */
static uint32_t next_free;                  /* search hint for "any page" */

/* The entry of thread `t`: NULL for the root task and for strangers; *root set for the root. */
static struct client *client_of(l4_tid_t t, int *root)
{
    uint32_t n = L4_TID_NUMBER(t);

    *root = t != L4_NILTHREAD && L4_TID_NUMBER(t) == L4_TID_NUMBER(l4_kip()->root_task);
    for (unsigned i = 0; i < nclients; i++)
        if (n - clients[i].first < clients[i].count)
            return &clients[i];
    return NULL;
}

/* May `c` (NULL: the root task) take `n` more pages of RAM? */
static int ram_allowed(const struct client *c, uint32_t n)
{
    if (!c)
        return ram_free - reserved >= n;    /* the root task: only what nobody was promised */
    return c->used + n <= c->quota;
}

static void ram_take(struct client *c, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ram_owner[first + i] = c ? (uint8_t)(c - clients + 1) : ROOT_OWNER;
    ram_free -= n;
    if (c) {
        c->used += n;
        reserved -= n;
    }
}

/* Whether pages [first, first + n) of `owner` are all free. */
static int claim(uint8_t *owner, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (owner[first + i] != FREE)
            return 0;
    return 1;
}

/* The controller of the image slots' storage (BOARD_SLOT_DEVICE: an SD card's host), which
 * whoever may program the slots may drive; none where the slots are NOR flash, programmed in
 * place. */
static int slot_device(const struct client *c, uint32_t base, uint32_t size)
{
#ifdef BOARD_SLOT_DEVICE
    return c && (c->flags & SIGMA0_ALLOW_SLOTS) && base == BOARD_SLOT_DEVICE && size == L4_PAGE_SIZE;
#else
    (void)c, (void)base, (void)size;
    return 0;
#endif
}

/* The fpage to map for a request by `c` (root: the root task), or 0 when it cannot be granted. */
static uint32_t grant(struct client *c, int root, uint32_t fpage)
{
    const struct l4_kip *kip = l4_kip();
    uint32_t log2 = L4_FPAGE_LOG2(fpage), base = L4_FPAGE_BASE(fpage);
    uint32_t rights = L4_FPAGE_RIGHTS(fpage) ? L4_FPAGE_RIGHTS(fpage) : L4_RWX;
    uint32_t size, n;
    const struct boot_module *first = &kip->boot.modules[0];

    if (!c && !root)
        return 0;
    if (base == SIGMA0_ANY_PAGE) {
        uint32_t pages = PAGES(kip->free_size);
        if (!ram_allowed(c, 1))
            return 0;
        for (uint32_t k = 0; k < pages; k++) {
            uint32_t i = (next_free + k) % pages;
            if (ram_owner[i] == FREE) {
                ram_take(c, i, 1);
                next_free = i + 1;
                return L4_FPAGE(kip->free_base + i * L4_PAGE_SIZE, 12, L4_RWX);
            }
        }
        return 0;
    }
    if (log2 < 12 || log2 > SIGMA0_MAX_LOG2)
        return 0;
    size = 1u << log2;
    n = PAGES(size);
    base &= ~(size - 1);
    if (base >= kip->free_base && base - kip->free_base < kip->free_size &&
        size <= kip->free_size - (base - kip->free_base)) {
        uint32_t i = PAGES(base - kip->free_base);
        if (!ram_allowed(c, n) || !claim(ram_owner, i, n))
            return 0;
        ram_take(c, i, n);
        return L4_FPAGE(base, log2, rights);
    }
    if (base >= first->phys && base < kip->boot.end && size <= kip->boot.end - base)
        return root ? L4_FPAGE(base, log2, rights) : 0;     /* the modules' own memory */
    if (base >= kip->rootfs_base && base - kip->rootfs_base < kip->rootfs_size &&
        size <= kip->rootfs_size - (base - kip->rootfs_base))
        return root || (c->flags & SIGMA0_ALLOW_ROOTFS) ? L4_FPAGE(base, log2, L4_READ) : 0;
    if (base >= kip->data_base && base - kip->data_base < kip->data_size &&
        size <= kip->data_size - (base - kip->data_base))
        return root || (c->flags & SIGMA0_ALLOW_DATA) ? L4_FPAGE(base, log2, rights & (L4_READ | L4_WRITE)) : 0;
    if (log2 == 12 && base - kip->slots_base < kip->slot_count * kip->slot_size &&
        (base - kip->slots_base) % kip->slot_size == 0)
        return root || (c->flags & SIGMA0_ALLOW_SLOTS) ? L4_FPAGE(base, 12, rights & (L4_READ | L4_WRITE)) : 0;
    if (base >= kip->device_base && base - kip->device_base < kip->device_size &&
        size <= kip->device_size - (base - kip->device_base)) {
        uint32_t i = PAGES(base - kip->device_base);
        if (!root && (base < c->dev_base || base - c->dev_base >= c->dev_size ||
                      size > c->dev_size - (base - c->dev_base)) && !slot_device(c, base, size))
            return 0;
        if (!claim(dev_owner, i, n))
            return 0;
        for (uint32_t k = 0; k < n; k++)
            dev_owner[i + k] = c ? (uint8_t)(c - clients + 1) : ROOT_OWNER;
        return L4_FPAGE(base, log2, rights & (L4_READ | L4_WRITE));
    }
    return 0;
}

/* The root task's policy for threads [mr1, mr1 + mr2): mr3 RAM pages, device window
 * [mr4, mr4 + mr5), mr6 flags.  An entry for the same first thread is replaced (its pages
 * stay its own).  0 when refused: the quota is more than is free and unpromised. */
static int policy(const uint32_t *mr)
{
    struct client *c = NULL;
    uint32_t had = 0;

    for (unsigned i = 0; i < nclients; i++)
        if (clients[i].first == mr[1])
            c = &clients[i];
    if (!c) {
        if (nclients == MAX_CLIENTS)
            return 0;
        c = &clients[nclients];
        c->used = 0;
    } else {
        had = c->quota - c->used;
    }
    if (mr[3] < c->used || mr[3] - c->used > ram_free - (reserved - had))
        return 0;
    if (c == &clients[nclients])
        nclients++;
    reserved += (mr[3] - c->used) - had;
    c->first = mr[1];
    c->count = mr[2];
    c->quota = mr[3];
    c->dev_base = mr[4];
    c->dev_size = mr[5];
    c->flags = mr[6];
    return 1;
}

/* Page `i` of `owner` (based at `base`) is free again: so is our own mapping of it.  The
 * kernel maps our pages on demand and keeps them, each with a mapping-database node (and the
 * megabyte's second-level table) from the root domain's kernel memory; kept for every page
 * ever handed out, a client taking its whole quota at pages nobody had before would leave the
 * root domain that much poorer after its deletion, until the root task's next mapping fails. */
static void page_free(uint8_t *owner, uint32_t base, uint32_t i)
{
    owner[i] = FREE;
    l4_unmap(L4_FPAGE(base + i * L4_PAGE_SIZE, 12, L4_RWX), L4_UNMAP_SELF);
}

/* Take back everything client entry of thread number mr[1] holds: RAM and devices.  (Its
 * mappings went with its spaces: the root task deleted them first.) */
static int release(const uint32_t *mr)
{
    const struct l4_kip *kip = l4_kip();

    for (unsigned i = 0; i < nclients; i++) {
        struct client *c = &clients[i];
        if (c->first != mr[1])
            continue;
        for (uint32_t p = 0; p < MAX_RAM_PAGES; p++)
            if (ram_owner[p] == i + 1) {
                page_free(ram_owner, kip->free_base, p);
                if (p < next_free)
                    next_free = p;          /* handed out again first: their tables are there */
            }
        for (uint32_t p = 0; p < MAX_DEV_PAGES; p++)
            if (dev_owner[p] == i + 1)
                page_free(dev_owner, kip->device_base, p);
        ram_free += c->used;
        reserved += c->used;
        c->used = 0;
        return 1;
    }
    return 0;
}

int main(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err, fp;
    l4_tid_t client;

    ram_free = PAGES(l4_kip()->free_size);
    client = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
    for (;;) {
        uint32_t label = L4_TAG_LABEL(m.mr[0]);
        int root;
        struct client *c = client_of(client, &root);

        fp = 0;
        if (err == 0 && label == SIGMA0_LABEL_REQUEST && L4_TAG_UNTYPED(m.mr[0]) >= 1) {
            fp = grant(c, root, m.mr[1]);
        } else if (err == 0 && (label & 0xfff0u) == L4_LABEL_PAGEFAULT) {
            fp = grant(c, root, L4_FPAGE(m.mr[1] & ~0xfffu, 12, L4_RWX));
        } else if (err == 0 && root && (label == SIGMA0_LABEL_POLICY || label == SIGMA0_LABEL_RELEASE)) {
            uint32_t ok = label == SIGMA0_LABEL_POLICY ? policy(m.mr) : release(m.mr);
            m.mr[0] = L4_TAG(0, 1, 0);
            m.mr[1] = ok;
            client = l4_reply_wait(client, &m, &err);
            continue;
        }
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
