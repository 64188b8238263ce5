// Costs around dynamic linking with threads, stock vs plugin (the runner builds both):
//   - thread start: pthread_create → the thread running user code, and the create+join round trip,
//     on a reused pool worker, after 1, 8 and 32 dlopen()ed side modules, with or without table
//     gaps (JS addFunction on the main thread) before each load;
//   - dlopen latency on the main thread while two pthreads are alive (they sync every load);
//   - catch-up: the first pthread start on a worker that sat idle through 100 of those loads.
//   node main.js gaps|nogaps
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <emscripten.h>
#include <emscripten/threading.h>

#define REPS 200
#define LOADS 100
static double started_at;
static int gaps;

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
  printf("PDBENCH {\"kind\":\"start\",\"gaps\":%d,\"modules\":%d,\"reps\":%d,\"start_median_ms\":%.4f,\"start_p10_ms\":%.4f,\"start_p90_ms\":%.4f,"
         "\"roundtrip_median_ms\":%.4f,\"roundtrip_p10_ms\":%.4f,\"roundtrip_p90_ms\":%.4f}\n",
         gaps, modules, REPS, start_ms[REPS / 2], start_ms[REPS / 10], start_ms[REPS * 9 / 10],
         round_ms[REPS / 2], round_ms[REPS / 10], round_ms[REPS * 9 / 10]);
}

static double load(int i) {
  char name[32];
  snprintf(name, sizeof name, "b%d.so", i);
  if (gaps) EM_ASM({ for (var i = 0; i < 3; i++) addFunction(function() { return 7; }, 'i'); });
  double t0 = emscripten_get_now();
  void* h = dlopen(name, RTLD_NOW);
  double ms = emscripten_get_now() - t0;
  if (!h) { printf("dlopen %s failed: %s\n", name, dlerror()); exit(1); }
  return ms;
}

// Alive through the timed loads: each dlopen on the main thread waits until they have loaded it too.
static _Atomic int live_stop, live_started;
static void* live(void* arg) {
  atomic_fetch_add(&live_started, 1);
  while (!atomic_load(&live_stop)) emscripten_futex_wait(&live_stop, 0, 5);
  return 0;
}

int main(int argc, char** argv) {
  gaps = argc > 1 && strcmp(argv[1], "gaps") == 0;
  load(1);
  measure(1);
  for (int i = 2; i <= 8; i++) load(i);
  measure(8);
  for (int i = 9; i <= 32; i++) load(i);
  measure(32);

  pthread_t a, b;
  pthread_create(&a, 0, live, 0);
  pthread_create(&b, 0, live, 0);
  while (atomic_load(&live_started) < 2) {
  }
  static double dlopen_ms[LOADS];
  for (int i = 0; i < LOADS; i++) dlopen_ms[i] = load(33 + i);
  qsort(dlopen_ms, LOADS, sizeof(double), cmp);
  printf("PDBENCH {\"kind\":\"dlopen\",\"gaps\":%d,\"loads\":%d,\"live_threads\":2,\"median_ms\":%.4f,\"p10_ms\":%.4f,\"p90_ms\":%.4f}\n",
         gaps, LOADS, dlopen_ms[LOADS / 2], dlopen_ms[LOADS / 10], dlopen_ms[LOADS * 9 / 10]);

  // The pool's third worker sat idle through those loads; with both live threads still running,
  // the next pthread must start there and catch up on all of them first.
  double start_ms = 0;
  pthread_t t;
  double t0 = emscripten_get_now();
  started_at = t0;
  pthread_create(&t, 0, body, &start_ms);
  pthread_join(t, 0);
  printf("PDBENCH {\"kind\":\"catchup\",\"gaps\":%d,\"loads\":%d,\"start_ms\":%.4f,\"roundtrip_ms\":%.4f}\n",
         gaps, LOADS, start_ms, emscripten_get_now() - t0);

  atomic_store(&live_stop, 1);
  emscripten_futex_wake(&live_stop, 2);
  pthread_join(a, 0);
  pthread_join(b, 0);
  printf("PDRESULT pass 1/1\n");
  fflush(stdout);
  EM_ASM({ if (typeof process == 'object') process.exit(0); });
  return 0;
}
