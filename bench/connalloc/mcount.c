// Counts heap allocations: preloaded (LD_PRELOAD) into the server by bench/connalloc.sh.
// Every malloc, calloc, realloc, posix_memalign and aligned_alloc adds one (from any thread);
// SIGUSR2 appends the count so far, one number per line, to $CONNALLOC_OUT.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static atomic_ulong allocations;

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static void count(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    *out = __libc_memalign(alignment, size);
    return *out ? 0 : 12;  // ENOMEM
}

// Async-signal-safe: snprintf of an integer, open, write, close.
static void report(int signal) {
    (void)signal;
    const char *path = getenv("CONNALLOC_OUT");
    if (!path) return;
    char line[32];
    int length = snprintf(line, sizeof line, "%lu\n", (unsigned long)atomic_load(&allocations));
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return;
    ssize_t ignored = write(fd, line, (size_t)length);
    (void)ignored;
    close(fd);
}

__attribute__((constructor)) static void install(void) { signal(SIGUSR2, report); }
