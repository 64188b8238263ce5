// The randomized stress run (tools/stress.js): one program that, from a seed, interleaves side
// module loads (from JS as Pyodide does, C dlopen from the main thread and from pthreads), table
// gaps on the main thread, and pthreads on a small reused pool; every pthread calls every pointer
// obtained so far and counts the ones that do not return their function's id. Same seed, same
// sequence of actions.
//   node main.js SEED STEPS
// Prints PDSTRESS {"seed":…,"steps":…,"checks":…,"mismatches":…,"first":"…"}.
#include <dlfcn.h>
#include "../harness/pd_check.h"

#define MODULES 8
#define MAX_PTRS (MODULES * 2)

static uint32_t rng;
static uint32_t next_random(void) {  // xorshift32: reproducible across toolchains
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static int loaded[MODULES];  // 0 no, 1 from JS only (not yet dlopen'd), 2 dlopen'd
static pd_fn ptrs[MAX_PTRS];
static int ids[MAX_PTRS];
static _Atomic int nptrs;
static _Atomic long checks, mismatches;
static char first_mismatch[PD_ERR_LEN];
static _Atomic int first_taken;

static void check_all(const char* who) {
  int n = atomic_load(&nptrs);
  for (int i = 0; i < n; i++) {
    char err[PD_ERR_LEN];
    int got = pd_call_slot((uintptr_t)ptrs[i], err);
    atomic_fetch_add(&checks, 1);
    if (got != ids[i] || err[0]) {
      atomic_fetch_add(&mismatches, 1);
      if (!atomic_exchange(&first_taken, 1)) {
        snprintf(first_mismatch, sizeof first_mismatch, "%s: slot %lu expected %d got %d %s", who,
                 (unsigned long)(uintptr_t)ptrs[i], ids[i], got, err);
      }
    }
  }
}

static void take_pointers(void* h, int k) {
  char name[32];
  snprintf(name, sizeof name, "stress_get_%d", k);
  pd_fn (*get)(int) = (pd_fn (*)(int))dlsym(h, name);
  if (!get) return;
  int n = atomic_load(&nptrs);
  ptrs[n] = get(0);
  ids[n] = PD_ID(500 + k);
  ptrs[n + 1] = get(1);
  ids[n + 1] = PD_ID(600 + k);
  atomic_store(&nptrs, n + 2);
}

static void* do_dlopen(int k) {
  char so[32];
  snprintf(so, sizeof so, "stress_%d.so", k);
  return dlopen(so, RTLD_NOW);
}

static void* checker(void* arg) {
  check_all("pthread");
  return 0;
}

struct thread_load { int k; void* handle; _Atomic int done; };
static void* loader(void* arg) {
  struct thread_load* t = arg;
  t->handle = do_dlopen(t->k);
  if (t->handle) take_pointers(t->handle, t->k);
  check_all("loader pthread");
  atomic_store(&t->done, 1);
  return 0;
}

static int step, steps;
static uint32_t seed;
static struct thread_load pending;  // a dlopen running on a pthread
static pthread_t pending_thread;
static int polls;

static void finish(void) {
  printf("PDSTRESS {\"seed\":%u,\"steps\":%d,\"pointers\":%d,\"checks\":%ld,\"mismatches\":%ld,\"first\":\"", seed, steps,
         atomic_load(&nptrs), atomic_load(&checks), atomic_load(&mismatches));
  for (const char* c = first_mismatch; *c; c++) putchar(*c == '"' || *c == '\\' ? '\'' : *c);
  printf("\"}\n");
  fflush(stdout);
  EM_ASM({ if (typeof process == 'object' && process.versions && process.versions.node) process.exit(0); });
  emscripten_force_exit(0);
}

static void next_step(void* arg);

// dlopen on a pthread needs the main thread to load the module too, from its event loop: poll
// from there (blocking here is the known dlopen-in-thread deadlock, not what this run tests).
static void poll_loader(void* arg) {
  if (!atomic_load(&pending.done)) {
    if (++polls > 2000) {  // 20 s at 10 ms
      snprintf(first_mismatch, sizeof first_mismatch, "dlopen on a pthread never finished");
      atomic_fetch_add(&mismatches, 1);
      finish();
    }
    emscripten_async_call(poll_loader, 0, 10);
    return;
  }
  pthread_join(pending_thread, 0);
  if (pending.handle) loaded[pending.k] = 2;
  check_all("main");
  emscripten_async_call(next_step, 0, 0);
}

// One action per call, chosen by the seeded generator; returns to the event loop between actions.
static void next_step(void* arg) {
  if (step++ >= steps) finish();
  int k = next_random() % MODULES;
  switch (next_random() % 6) {
    case 0:  // the host appends JS callbacks on the main thread
      pd_make_js_gaps(1 + next_random() % 4);
      break;
    case 1:  // the host preloads a module from JS (dlopen'd later, as Pyodide does)
      if (!loaded[k]) {
        EM_ASM({ loadDynamicLibrary('stress_' + $0 + '.so', {global: true, nodelete: true}); }, k);
        loaded[k] = 1;
      }
      break;
    case 2:  // C dlopen on the main thread
      if (loaded[k] != 2) {
        void* h = do_dlopen(k);
        if (h) { take_pointers(h, k); loaded[k] = 2; }
      }
      break;
    case 3:  // C dlopen on a pthread
      if (loaded[k] == 2) break;
      pending.k = k;
      pending.handle = 0;
      atomic_store(&pending.done, 0);
      polls = 0;
      pthread_create(&pending_thread, 0, loader, &pending);
      emscripten_async_call(poll_loader, 0, 10);
      return;
    default: {  // a pthread on the (reused) pool checks every pointer so far
      pthread_t th;
      pthread_create(&th, 0, checker, 0);
      if (!pd_join(th, "checker", 20000)) {
        atomic_fetch_add(&mismatches, 1);
        finish();
      }
      break;
    }
  }
  check_all("main");
  emscripten_async_call(next_step, 0, 0);
}

int main(int argc, char** argv) {
  seed = argc > 1 ? (uint32_t)strtoul(argv[1], 0, 10) : 1;
  steps = argc > 2 ? atoi(argv[2]) : 40;
  rng = seed * 2654435761u + 1;
  emscripten_async_call(next_step, 0, 0);
  return 0;
}
