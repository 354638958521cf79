/*
 * How to give an arena's pages back inside one reserved region: three ways,
 * timed per 1 MiB arena cycle (map or reuse the slot, touch its 256 pages,
 * release it), over 64 slots cycled 20 times, plus the mappings
 * (/proc/self/maps lines) the process ends with. The numbers in
 * bench/RESULTS.md ("The region") come from:
 *
 *   cc -O2 -o /tmp/regionMapping bench/regionMapping.c && /tmp/regionMapping
 *
 *   dontneed   one PROT_READ|PROT_WRITE MAP_NORESERVE mapping; release is
 *              madvise(MADV_DONTNEED) (what native/pymem.cc does)
 *   fixed-rw   the same mapping; release is mmap(MAP_FIXED) of fresh memory
 *              over the slot
 *   none+fixed a PROT_NONE reservation; map is mmap(MAP_FIXED, RW) of the
 *              slot, release mmap(MAP_FIXED, PROT_NONE) over it
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define SLOT (1u << 20)
#define SLOTS 64
#define ROUNDS 20

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int maps(void) {
  FILE* f = fopen("/proc/self/maps", "r");
  int n = 0, c;
  while ((c = fgetc(f)) != EOF) n += c == '\n';
  fclose(f);
  return n;
}

static void touch(char* p) {
  for (unsigned i = 0; i < SLOT; i += 4096) p[i] = 1;
}

int main(void) {
  const char* names[] = {"dontneed", "fixed-rw", "none+fixed"};
  for (int way = 0; way < 3; way++) {
    int prot = way == 2 ? PROT_NONE : PROT_READ | PROT_WRITE;
    char* region = mmap(NULL, (size_t)SLOTS * SLOT, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    int before = maps();
    double t0 = now();
    for (int r = 0; r < ROUNDS; r++) {
      for (int s = 0; s < SLOTS; s++) {
        char* slot = region + (size_t)s * SLOT;
        if (way == 2) mmap(slot, SLOT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
        touch(slot);
        if (s % 2 == 1 || r == ROUNDS - 1) {  // release every other slot at once, the rest at the end
          if (way == 0) madvise(slot, SLOT, MADV_DONTNEED);
          else if (way == 1) mmap(slot, SLOT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
          else mmap(slot, SLOT, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
        }
      }
    }
    double ns = (now() - t0) / (ROUNDS * SLOTS);
    // Leave the even slots mapped and touched, then count the mappings.
    for (int s = 0; s < SLOTS; s += 2) {
      char* slot = region + (size_t)s * SLOT;
      if (way == 2) mmap(slot, SLOT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
      touch(slot);
    }
    printf("%-10s %8.0f ns per 1 MiB arena cycle (touch included), mappings +%d with every other slot in use\n", names[way], ns, maps() - before);
    munmap(region, (size_t)SLOTS * SLOT);
  }
  return 0;
}
