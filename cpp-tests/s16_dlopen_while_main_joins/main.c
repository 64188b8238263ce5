// S16 (H-a, emscripten #19848): a pthread dlopens while the main thread blocks in pthread_join on
// it. dlopen then waits for every other thread, the main thread included, to load the module;
// stock emscripten asks the main thread to do so from its event loop, which a joining main thread
// never returns to. Every wait is bounded: a join that times out is recorded as a hang, and the
// run ends there (the loader is still inside dlopen).
#include <dlfcn.h>
#include "../harness/pd_check.h"

#define BOUND_MS 8000
static pd_fn value, hidden;
static _Atomic int loaded;

static void* loader(void* arg) {
  pd_make_js_gaps(1);  // a gap in this thread only: its own table is not the main thread's
  void* h = dlopen("s16_side.so", RTLD_NOW);
  if (!h) {
    pd_record("loader", "dlopen", 0, 0, -1, dlerror());
  } else {
    value = ((pd_fn(*)(void))dlsym(h, "s16_get"))();
    hidden = ((pd_fn(*)(void))dlsym(h, "s16_get_hidden"))();
    pd_probe("loader", "s16_value", value, PD_ID(161));
    pd_probe("loader", "s16_hidden", hidden, PD_ID(162));
  }
  atomic_store(&loaded, 1);
  return 0;
}

// Started before the load and waiting through it (in 50 ms futex slices, so it can take part in
// the load's sync): a thread that already ran when the module arrived.
static void* waiter(void* arg) {
  if (!pd_wait_flag(&loaded, "waiter", BOUND_MS)) return 0;
  pd_probe("waiter", "s16_value", value, PD_ID(161));
  pd_probe("waiter", "s16_hidden", hidden, PD_ID(162));
  return 0;
}

int main(void) {
  pd_make_js_gaps(5);
  pthread_t w, l;
  pthread_create(&w, 0, waiter, 0);
  pthread_create(&l, 0, loader, 0);
  // The blocking join this scenario is about, bounded.
  if (!pd_join(l, "main", BOUND_MS)) pd_finish();
  pd_make_js_gaps(2);
  if (value) {
    pd_probe("main", "s16_value", value, PD_ID(161));
    pd_probe("main", "s16_hidden", hidden, PD_ID(162));
  }
  if (!pd_join(w, "main", BOUND_MS)) pd_finish();
  pd_finish();
  return 0;
}
