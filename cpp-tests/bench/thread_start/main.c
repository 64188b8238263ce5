// Thread start cost with dynamic linking: time from pthread_create to the thread running user
// code, and the create+join round trip, on one reused pool worker, after 1 and after 8 dlopen()ed
// side modules with table gaps between them. The benchmark runner builds this stock and with the
// plugin and prints the ratios.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <emscripten.h>

#define REPS 200
static double started_at;

static void* body(void* arg) {
  *(double*)arg = emscripten_get_now() - started_at;
  return 0;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static void measure(int modules) {
  static double start_ms[REPS], round_ms[REPS];
  for (int i = 0; i < REPS; i++) {
    pthread_t t;
    double t0 = emscripten_get_now();
    started_at = t0;
    pthread_create(&t, 0, body, &start_ms[i]);
    pthread_join(t, 0);
    round_ms[i] = emscripten_get_now() - t0;
  }
  qsort(start_ms, REPS, sizeof(double), cmp);
  qsort(round_ms, REPS, sizeof(double), cmp);
  printf("PDBENCH {\"modules\":%d,\"reps\":%d,\"start_median_ms\":%.4f,\"start_p10_ms\":%.4f,\"start_p90_ms\":%.4f,"
         "\"roundtrip_median_ms\":%.4f,\"roundtrip_p10_ms\":%.4f,\"roundtrip_p90_ms\":%.4f}\n",
         modules, REPS, start_ms[REPS / 2], start_ms[REPS / 10], start_ms[REPS * 9 / 10],
         round_ms[REPS / 2], round_ms[REPS / 10], round_ms[REPS * 9 / 10]);
}

static void load(int i) {
  char name[32];
  snprintf(name, sizeof name, "b%d.so", i);
  EM_ASM({ for (var i = 0; i < 3; i++) addFunction(function() { return 7; }, 'i'); });
  void* h = dlopen(name, RTLD_NOW);
  if (!h) { printf("dlopen %s failed: %s\n", name, dlerror()); exit(1); }
}

int main(void) {
  load(1);
  measure(1);
  for (int i = 2; i <= 8; i++) load(i);
  measure(8);
  printf("PDRESULT pass 1/1\n");
  fflush(stdout);
  EM_ASM({ if (typeof process == 'object') process.exit(0); });
  return 0;
}
