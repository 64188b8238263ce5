// S15: wasm functions of instances created in JS, shaped as CPython's call trampoline
// (trampoline.pre.js): a module compiled in JS that imports the program's table and calls
// through it. Two installations, as CPython has them:
//   - main branch: a preRun hook overwrites a placeholder slot (every thread has it from
//     start-up) with the trampoline; workers never run preRun hooks;
//   - 3.14: at run time the main thread adds the trampoline's export with addFunction and keeps
//     the slot in a C global (CPython: _PyRuntime), after the pool worker already ran a pthread.
// A worker calling either slot must run its own copy of the trampoline, which calls through its
// own table the side module function it is given. A third instance imports a JS closure: it
// cannot exist in a worker, and the stub's error names that import.
#include <dlfcn.h>
#include "../harness/pd_check.h"

typedef int (*trampoline_fn)(int);
static int placeholder_ran(void) { return PD_ID(159); }
static pd_fn side_value;
static uintptr_t added_trampoline, closure_instance;

EMSCRIPTEN_KEEPALIVE int s15_placeholder_slot(void) { return (int)(uintptr_t)placeholder_ran; }

// Call trampoline slot `tramp` with `fp` (through the harness, so a bad slot is a recorded
// failure, not a trap).
static void probe_via(const char* thread, const char* check, uintptr_t tramp, pd_fn fp, int expected) {
  char err[PD_ERR_LEN];
  int actual = pd_call_slot_with(tramp, 1, (int)(uintptr_t)fp, err);
  pd_record(thread, check, tramp, expected, actual, err);
}

static void* before(void* arg) {
  probe_via("worker1", "preRun trampoline", (uintptr_t)placeholder_ran, side_value, PD_ID(151));
  return 0;
}

static void* after(void* arg) {
  probe_via("worker1-again", "added trampoline", added_trampoline, side_value, PD_ID(151));
  probe_via("worker1-again", "preRun trampoline", (uintptr_t)placeholder_ran, side_value, PD_ID(151));
  pd_probe_error("worker1-again", "instance importing a JS closure", (pd_fn)closure_instance, "its import env.f is a JS function");
  return 0;
}

int main(void) {
  pd_make_js_gaps(2);
  void* h = dlopen("s15_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  side_value = ((pd_fn(*)(void))dlsym(h, "s15_get"))();
  probe_via("main", "preRun trampoline", (uintptr_t)placeholder_ran, side_value, PD_ID(151));

  pthread_t t;
  pthread_create(&t, 0, before, 0);
  pd_join(t, "worker1", 20000);

  added_trampoline = (uintptr_t)EM_ASM_INT({ return Number(addFunction(pdTrampoline(0).exports['call'], 'ii')); });
  closure_instance = (uintptr_t)EM_ASM_INT({ return Number(addFunction(pdTrampoline(1).exports['viaImport'], 'i')); });
  probe_via("main", "added trampoline", added_trampoline, side_value, PD_ID(151));
  pd_probe("main", "instance importing a JS closure", (pd_fn)closure_instance, 7);

  pthread_create(&t, 0, after, 0);
  pd_join(t, "worker1-again", 20000);
  pd_finish();
}
