// S11, the seed workload: the host loads a side module that owns a persistent thread pool from JS
// (loadDynamicLibrary, as Pyodide loads extensions) after table gaps, dlopen()s it for its
// symbols, starts the pool, and only then loads, after more gaps, the modules whose functions the
// pool runs: function-pointer tasks first, C++ lambdas (through a template trampoline) later.
// 10,000 parallel_fors in all, every result checked; every wait is bounded.
#include <dlfcn.h>
#include "../harness/pd_check.h"
#include "s11_pool.h"

#define ROUNDS_PER_KIND 5000
#define N 24
#define TIMEOUT_MS 5000.0

static void after_js_load(void) {
  void* pool = pd_dlopen_or_finish("s11_pool.so");
  int (*start)(int, double) = (int (*)(int, double))dlsym(pool, "s11_pool_start");
  s11_parallel_for_fn pf = (s11_parallel_for_fn)dlsym(pool, "s11_parallel_for");
  void (*stop)(void) = (void (*)(void))dlsym(pool, "s11_pool_stop");
  int running = start(2, TIMEOUT_MS);
  pd_expect_eq("main", "pool threads running", 0, 2, running);
  double t0 = emscripten_get_now();

  pd_make_js_gaps(2);
  void* fns = pd_dlopen_or_finish("s11_tasks_fn.so");
  s11_task (*fn_task)(int) = (s11_task (*)(int))dlsym(fns, "s11_fn_task");
  int (*fn_expected)(int, int) = (int (*)(int, int))dlsym(fns, "s11_fn_expected");
  int out[N], wrong = 0, timeouts = 0, done = 0;
  for (int r = 0; r < ROUNDS_PER_KIND && timeouts == 0; r++) {
    int which = r & 1;
    for (int i = 0; i < N; i++) out[i] = -1;
    if (pf(N, fn_task(which), out, TIMEOUT_MS) != 0) { timeouts++; break; }
    for (int i = 0; i < N; i++) wrong += out[i] != fn_expected(which, i);
    done++;
  }
  pd_expect_eq("main", "function-pointer rounds finished", 0, ROUNDS_PER_KIND, done);
  pd_expect_eq("main", "function-pointer task results wrong", 0, 0, wrong);

  pd_make_js_gaps(2);
  void* lambdas = pd_dlopen_or_finish("s11_tasks_lambda.so");
  int (*lambda_round)(s11_parallel_for_fn, int, int, double) =
      (int (*)(s11_parallel_for_fn, int, int, double))dlsym(lambdas, "s11_lambda_round");
  wrong = 0;
  done = 0;
  for (int r = 0; r < ROUNDS_PER_KIND; r++) {
    int w = lambda_round(pf, r, N, TIMEOUT_MS);
    if (w < 0) break;
    wrong += w;
    done++;
  }
  pd_expect_eq("main", "lambda rounds finished", 0, ROUNDS_PER_KIND, done);
  pd_expect_eq("main", "lambda task results wrong", 0, 0, wrong);

  double seconds = (emscripten_get_now() - t0) / 1000;
  printf("PDSTAT {\"parallel_fors\":%d,\"seconds\":%.3f}\n", 2 * ROUNDS_PER_KIND, seconds);
  stop();
  pd_finish();
}

int main(void) {
  pd_make_js_gaps(3);
  pd_js_load_async("s11_pool.so", after_js_load);
  emscripten_exit_with_live_runtime();
}
