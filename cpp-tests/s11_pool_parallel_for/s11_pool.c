// A minimal persistent thread pool in a side module, as the seed workload has it: threads started
// once and never exiting, woken per job by a futex, each running a fixed share of the indices;
// the caller runs its share too and waits (bounded) for the rest. Every wait has a bound, so a
// pool that cannot make progress reports it instead of hanging the program.
#include <emscripten.h>
#include <emscripten/threading.h>
#include <pthread.h>
#include <stdatomic.h>
#include "s11_pool.h"

#define S11_MAX_THREADS 8

static int nthreads;
static _Atomic int generation;   // bumped once per job: the futex the pool threads sleep on
static _Atomic int finished;     // pool-thread shares done, over all jobs
static _Atomic int started;      // pool threads that reached their loop
static _Atomic int stopping;
static int job_n;
static s11_task job_task;
static void* job_ctx;

static void run_share(int share) {
  for (int i = share; i < job_n; i += nthreads + 1) job_task(i, job_ctx);
}

static void* pool_thread(void* arg) {
  int share = (int)(intptr_t)arg;
  int seen = 0;
  atomic_fetch_add(&started, 1);
  while (!atomic_load(&stopping)) {
    int g = atomic_load(&generation);
    if (g == seen) {
      // Bounded sleep: wakes for the next job, for stop, and to service proxied work (dlsync).
      emscripten_futex_wait(&generation, g, 50);
      continue;
    }
    // The caller waits for every share of a job before posting the next, so no job is skipped.
    seen = g;
    run_share(share);
    atomic_fetch_add(&finished, 1);
  }
  return 0;
}

// Starts n threads; returns how many are running after waiting at most timeout_ms for them.
// (Callers must not block a browser's main thread on this: there, poll s11_pool_started().)
EMSCRIPTEN_KEEPALIVE int s11_pool_start(int n, double timeout_ms) {
  if (n > S11_MAX_THREADS) n = S11_MAX_THREADS;
  nthreads = n;
  for (int i = 0; i < n; i++) {
    pthread_t t;
    pthread_create(&t, 0, pool_thread, (void*)(intptr_t)i);
    pthread_detach(t);
  }
  double t0 = emscripten_get_now();
  while (atomic_load(&started) < n && emscripten_get_now() - t0 < timeout_ms) {
  }
  return atomic_load(&started);
}

EMSCRIPTEN_KEEPALIVE int s11_parallel_for(int n, s11_task task, void* ctx, double timeout_ms) {
  job_n = n;
  job_task = task;
  job_ctx = ctx;
  int target = atomic_load(&finished) + nthreads;
  atomic_fetch_add(&generation, 1);
  emscripten_futex_wake(&generation, nthreads);
  run_share(nthreads);
  double t0 = emscripten_get_now();
  while (atomic_load(&finished) < target) {
    if (emscripten_get_now() - t0 > timeout_ms) return -1;
  }
  return 0;
}

EMSCRIPTEN_KEEPALIVE void s11_pool_stop(void) {
  atomic_store(&stopping, 1);
  atomic_fetch_add(&generation, 1);
  emscripten_futex_wake(&generation, nthreads);
}
