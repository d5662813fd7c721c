// Live heap memory by call site, for finding what an idle connection keeps (bench/livealloc.sh).
//
// LD_PRELOAD this into a process: every malloc/calloc/realloc/memalign/posix_memalign is recorded
// with its call site (the first 6 return addresses of its stack); every free removes it. On
// SIGUSR2 (acted on at the next allocation) it writes, for each site with live chunks, the line
// "requested_bytes chunks usable_bytes_with_headers frame1 ... frame6" to $LIVEALLOC_OUT.<n>,
// and the process's memory map to $LIVEALLOC_OUT.<n>.maps for symbolizing. Two dumps taken
// before and after opening N connections, diffed by report.py, give each site's bytes per
// connection. Slow (a backtrace per allocation): a measuring tool, not for production.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

#define DEPTH 6
#define PTAB (1 << 22)
#define STAB (1 << 16)
typedef struct { void *p; uint32_t site; uint32_t size; } Ent;
typedef struct { void *frames[DEPTH]; long bytes, count, usable; int used; } Site;
static Ent *ptab; static Site *stab;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int busy;
static volatile int dump_req;
static int ndump;

static uint32_t hp(void *p) { uint64_t x = (uint64_t)p; x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; return (uint32_t)x; }

static void init(void) {
    if (ptab) return;
    ptab = __libc_calloc(PTAB, sizeof(Ent));
    stab = __libc_calloc(STAB, sizeof(Site));
}

// The call site of an allocation: its first DEPTH return addresses. Taken outside `lock`:
// backtrace() walks the loaded objects under the dynamic loader's lock, and a thread that holds
// that lock (in dlopen, say) may be waiting in malloc for `lock`.
static void frames_of(void *fr[DEPTH]) {
    void *bt[DEPTH + 2];
    int n = backtrace(bt, DEPTH + 2);
    memset(fr, 0, DEPTH * sizeof(void *));
    for (int i = 2; i < n && i - 2 < DEPTH; i++) fr[i - 2] = bt[i];
}

// The site's slot in `stab` (under `lock`).
static uint32_t site_of(void *fr[DEPTH]) {
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < DEPTH; i++) h = (h ^ (uint64_t)fr[i]) * 1099511628211ULL;
    uint32_t s = (uint32_t)(h % STAB);
    for (int k = 0; k < STAB; k++, s = (s + 1) % STAB) {
        if (!stab[s].used) { stab[s].used = 1; memcpy(stab[s].frames, fr, DEPTH * sizeof(void *)); return s; }
        if (!memcmp(stab[s].frames, fr, DEPTH * sizeof(void *))) return s;
    }
    return 0;
}

static void dump(void) {
    char path[256]; snprintf(path, sizeof path, "%s.%d", getenv("LIVEALLOC_OUT") ? getenv("LIVEALLOC_OUT") : "/tmp/livealloc", ndump++);
    FILE *f = fopen(path, "w");
    if (!f) return;
    for (int s = 0; s < STAB; s++) if (stab[s].used && stab[s].count) {
        fprintf(f, "%ld %ld %ld", stab[s].bytes, stab[s].count, stab[s].usable);
        for (int i = 0; i < DEPTH; i++) fprintf(f, " %p", stab[s].frames[i]);
        fprintf(f, "\n");
    }
    fclose(f);
    // The load map, for symbolizing.
    FILE *m = fopen("/proc/self/maps", "r"); char mp[300]; snprintf(mp, sizeof mp, "%s.maps", path);
    FILE *o = fopen(mp, "w"); char line[512];
    while (m && o && fgets(line, sizeof line, m)) fputs(line, o);
    if (m) fclose(m);
    if (o) fclose(o);
}

static void track(void *p, size_t size) {
    if (!p || busy) return;
    busy = 1;
    void *fr[DEPTH];
    frames_of(fr);
    pthread_mutex_lock(&lock);
    init();
    if (dump_req) { dump_req = 0; dump(); }
    uint32_t s = site_of(fr);
    uint32_t i = hp(p) % PTAB;
    while (ptab[i].p) i = (i + 1) % PTAB;
    ptab[i].p = p; ptab[i].site = s; ptab[i].size = (uint32_t)size;
    stab[s].bytes += size; stab[s].count++; stab[s].usable += malloc_usable_size(p) + 8;
    pthread_mutex_unlock(&lock);
    busy = 0;
}

static void untrack(void *p) {
    if (!p || !ptab || busy) return;
    busy = 1;
    pthread_mutex_lock(&lock);
    uint32_t i = hp(p) % PTAB;
    while (ptab[i].p && ptab[i].p != p) i = (i + 1) % PTAB;
    if (ptab[i].p == p) {
        Site *st = &stab[ptab[i].site];
        st->bytes -= ptab[i].size; st->count--; st->usable -= malloc_usable_size(p) + 8;
        // backward-shift deletion for linear probing
        uint32_t j = i;
        for (;;) {
            ptab[i].p = 0;
            for (;;) {
                j = (j + 1) % PTAB;
                if (!ptab[j].p) { pthread_mutex_unlock(&lock); busy = 0; return; }
                uint32_t k = hp(ptab[j].p) % PTAB;
                if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j)) continue;
                break;
            }
            ptab[i] = ptab[j]; i = j;
        }
    }
    pthread_mutex_unlock(&lock);
    busy = 0;
}

static void on_sig(int sig) { (void)sig; dump_req = 1; }
// The first backtrace() loads the unwinder (a dlopen): do it now, before the process has threads.
__attribute__((constructor)) static void ctor(void) {
    void *warm[DEPTH];
    busy = 1;
    frames_of(warm);
    busy = 0;
    signal(SIGUSR2, on_sig);
}

void *malloc(size_t n) { void *p = __libc_malloc(n); track(p, n); return p; }
void free(void *p) { untrack(p); __libc_free(p); }
void *calloc(size_t a, size_t b) { void *p = __libc_calloc(a, b); track(p, a * b); return p; }
void *realloc(void *q, size_t n) { untrack(q); void *p = __libc_realloc(q, n); track(p, n); return p; }
void *memalign(size_t a, size_t n) { void *p = __libc_memalign(a, n); track(p, n); return p; }
void *aligned_alloc(size_t a, size_t n) { void *p = __libc_memalign(a, n); track(p, n); return p; }
int posix_memalign(void **r, size_t a, size_t n) { void *p = __libc_memalign(a, n); if (!p) return 12; track(p, n); *r = p; return 0; }
