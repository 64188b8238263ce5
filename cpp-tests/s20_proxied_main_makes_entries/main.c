// S20 (H-d): with -sPROXY_TO_PTHREAD, main() runs in a pthread. Host callbacks it adds there go
// into that thread's table only, so its dlopen places the module where no other thread would
// (emscripten #18719). Then every kind of thread calls the module's pointers: one that waited
// through the load, one started after it, and the real main thread (through a synchronous call
// proxied to it). Results are printed on the real main thread (pd_finish must run there).
#include <dlfcn.h>
#include "../harness/pd_check.h"

#define BOUND_MS 8000
static pd_fn value, hidden;
static _Atomic int loaded;

static void probe_both(const char* thread) {
  pd_probe(thread, "s20_value", value, PD_ID(201));
  pd_probe(thread, "s20_hidden", hidden, PD_ID(202));
}

static void* waiter(void* arg) {
  if (!pd_wait_flag(&loaded, "waiter", BOUND_MS)) return 0;
  probe_both("waiter");
  return 0;
}

static void* later(void* arg) {
  probe_both("later");
  return 0;
}

static void probe_on_real_main(void) { probe_both("realmain"); }

int main(void) {
  pthread_t w, t;
  pthread_create(&w, 0, waiter, 0);
  pd_make_js_gaps(4);  // in this (the proxied main) thread's table only
  void* h = dlopen("s20_side.so", RTLD_NOW);
  if (!h) {
    pd_record("app", "dlopen", 0, 0, -1, dlerror());
    emscripten_sync_run_in_main_runtime_thread(EM_FUNC_SIG_V, pd_finish);
  }
  value = ((pd_fn(*)(void))dlsym(h, "s20_get"))();
  hidden = ((pd_fn(*)(void))dlsym(h, "s20_get_hidden"))();
  atomic_store(&loaded, 1);
  emscripten_futex_wake((void*)&loaded, 1);
  probe_both("app");
  pd_make_js_gaps(2);
  pthread_create(&t, 0, later, 0);
  pd_join(w, "app", BOUND_MS);
  pd_join(t, "app", BOUND_MS);
  emscripten_sync_run_in_main_runtime_thread(EM_FUNC_SIG_V, probe_on_real_main);
  emscripten_sync_run_in_main_runtime_thread(EM_FUNC_SIG_V, pd_finish);
  return 0;
}
