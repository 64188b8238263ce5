// npm run bench: the seed workload on the real pool. The blog author's WarmPool in a side module
// loaded from JS (as Pyodide loads an extension), then a task module loaded later, then timed
// parallel_fors of its functions on the pool. No gaps: stock must be able to run it, since the
// bench compares the plugin's rate with stock's. argv[1] says where the task module is loaded:
// "main" (a main-thread dlopen) or "pthread" (where a main-thread dlopen with the pool asleep
// hangs on stock: before 5.0.7, see S18). argv[2]: parallel_fors to time.
// Prints PDSTAT {"parallel_fors": n, "seconds": s, "wrong": w}.
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "../../harness/pd_check.h"
#include "../../s18_warm_pool_cold/s18_pool.h"

#define THREADS 3
#define N 32
static void* pool_module;
static void* _Atomic tasks_module;
static int from_pthread, rounds, polls;

static void run_timed(void* arg) {
  if (!atomic_load(&tasks_module)) {
    if (++polls > 2000) { printf("PDSTAT {\"error\":\"the task module did not load within 20 s\"}\n"); emscripten_force_exit(1); }
    emscripten_async_call(run_timed, 0, 10);
    return;
  }
  int (*pf)(int, uintptr_t, int*, char*, int) =
      (int (*)(int, uintptr_t, int*, char*, int))dlsym(pool_module, "s18_parallel_for");
  s18_task square = (s18_task)dlsym(atomic_load(&tasks_module), "s18_square");
  int out[N], wrong = 0;
  char err[PD_ERR_LEN] = "";
  double t0 = emscripten_get_now();
  for (int r = 0; r < rounds; r++) {
    wrong += pf(N, (uintptr_t)square, out, err, sizeof err);
    for (int i = 0; i < N; i++) wrong += out[i] != i * i;
  }
  double seconds = (emscripten_get_now() - t0) / 1000;
  printf("PDSTAT {\"parallel_fors\":%d,\"seconds\":%.4f,\"wrong\":%d}\n", rounds, seconds, wrong);
  // As S18: the pool lives until the process ends (WarmPool's destructor can miss its wake-up).
  emscripten_force_exit(0);
}

static void* load_tasks(void* arg) {
  atomic_store(&tasks_module, dlopen("s18_tasks.so", RTLD_NOW));
  return 0;
}

static void when_ready(void* arg) {
  int (*ready)(void) = (int (*)(void))dlsym(pool_module, "s18_pool_ready");
  if (ready() < THREADS) {
    emscripten_async_call(when_ready, 0, 10);
    return;
  }
  ((void (*)(int, int))dlsym(pool_module, "s18_pool_warm"))(1, 2000);
  if (from_pthread) {
    pthread_t t;
    pthread_create(&t, 0, load_tasks, 0);
    pthread_detach(t);
  } else {
    load_tasks(0);
  }
  run_timed(0);
}

static void after_js_load(void) {
  pool_module = dlopen("s18_pool.so", RTLD_NOW);
  ((void (*)(int))dlsym(pool_module, "s18_pool_start"))(THREADS);
  emscripten_async_call(when_ready, 0, 10);
}

int main(int argc, char** argv) {
  from_pthread = argc > 1 && strcmp(argv[1], "pthread") == 0;
  rounds = argc > 2 ? atoi(argv[2]) : 5000;
  pd_js_load_async("s18_pool.so", after_js_load);
  emscripten_exit_with_live_runtime();
}
