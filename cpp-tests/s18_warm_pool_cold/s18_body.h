// S18/S19 (H-c): the seed workload's pool (WarmPool) in a side module loaded Pyodide-style from
// JS, started and used; then, while its threads sleep in an unbounded futex wait (S18: cold) or
// spin (S19: warm), the main thread dlopens a task module after gaps and runs parallel_fors of its
// functions on the pool. The main thread is inside dlopen when it hangs and cannot bound its own
// wait: the runner's bound (scenario.json timeoutMs) ends such a run.
// Include after defining POOL_WARM (0 or 1) and ROUNDS (parallel_fors after the load).
#include <dlfcn.h>
#include "../harness/pd_check.h"
#include "../s18_warm_pool_cold/s18_pool.h"

#define THREADS 3
#define N 32
static void* pool_module;
static int polls;

static int plain_task(int i) { return i + 7; }
static int expected_square(int i) { return i * i; }
static int expected_triple(int i) { return 3 * i + 1; }

// Runs `rounds` parallel_fors of `task` and records one check: how many results were wrong (the
// first call that failed gives the check its error).
static void run_rounds(const char* check, s18_task task, int (*expected)(int), int rounds) {
  int (*pf)(int, uintptr_t, int*, char*, int) =
      (int (*)(int, uintptr_t, int*, char*, int))dlsym(pool_module, "s18_parallel_for");
  int out[N], wrong = 0;
  char err[PD_ERR_LEN] = "";
  for (int r = 0; r < rounds && !err[0]; r++) {
    pf(N, (uintptr_t)task, out, err, sizeof err);
    for (int i = 0; i < N; i++) wrong += out[i] != expected(i);
  }
  pd_record("pool", check, (uintptr_t)task, 0, wrong, err);
}

static void load_tasks_and_run(void* arg) {
  pd_print_checks();  // what got this far, should the dlopen never return
  pd_make_js_gaps(2);
  double t0 = emscripten_get_now();
  void* tasks = pd_dlopen_or_finish("s18_tasks.so");
  // How long the dlopen waited for the pool (warm: until its threads cool down and sleep).
  printf("PDSTAT {\"dlopen_ms\":%.1f}\n", emscripten_get_now() - t0);
  s18_task square = (s18_task)dlsym(tasks, "s18_square");
  s18_task triple = (s18_task)dlsym(tasks, "s18_triple");
  char err[PD_ERR_LEN];
  pd_record("main", "s18_square(5)", (uintptr_t)square, 25, pd_call_slot_with((uintptr_t)square, 1, 5, err), err);
  run_rounds("s18_square on the pool", square, expected_square, ROUNDS / 2);
  run_rounds("s18_triple on the pool", triple, expected_triple, ROUNDS / 2);
  // The pool lives until the process ends, as an extension's pool does: WarmPool's destructor can
  // miss its own wake-up (a worker takes the shutdown's work_id bump for new work and waits again)
  // and never return (measured: 1 run in 12 with four runs at once on two cores, 6.0.5).
  pd_finish();
}

static void when_ready(void* arg) {
  int (*ready)(void) = (int (*)(void))dlsym(pool_module, "s18_pool_ready");
  if (ready() < THREADS) {
    // 10 s bound at 10 ms per poll.
    if (++polls > 1000) { pd_record("main", "pool ready", 0, THREADS, ready(), "the pool's threads did not start (hang)"); pd_finish(); }
    emscripten_async_call(when_ready, 0, 10);
    return;
  }
  pd_expect_eq("main", "pool threads ready", 0, THREADS, ready());
  void (*warm)(int, int) = (void (*)(int, int))dlsym(pool_module, "s18_pool_warm");
  // Warm: spinning through the dlopen's start, cooling after ~2,000 spins (WarmPool's default,
  // 20,000, takes seconds on two busy cores: the dlopen waits for every thread awake).
  warm(POOL_WARM, 2000);
  run_rounds("main-module task before the load", plain_task, plain_task, 20);
  if (POOL_WARM) {
    load_tasks_and_run(0);  // at once: the threads are spinning for their next work
  } else {
    emscripten_async_call(load_tasks_and_run, 0, 100);  // long enough for every thread to sleep
  }
}

static void after_js_load(void) {
  pool_module = pd_dlopen_or_finish("s18_pool.so");
  ((void (*)(int))dlsym(pool_module, "s18_pool_start"))(THREADS);
  emscripten_async_call(when_ready, 0, 10);
}

int main(void) {
  // No gaps before the pool's load: a stock run gets as far as the dlopen this is about.
  pd_js_load_async("s18_pool.so", after_js_load);
  emscripten_exit_with_live_runtime();
}
