// S6: a pthread dlopens. dlopen then waits for every other thread, the main thread included, to
// load the module too, so the main thread must stay in its event loop: it polls instead of
// joining (joining here is the known dlopen-in-thread deadlock, a different bug).
#include <dlfcn.h>
#include "../harness/pd_check.h"
static pd_fn value, hidden;
static _Atomic int loader_done, second_done;
static int polls;

static void* loader(void* arg) {
  void* h = dlopen("s6_side.so", RTLD_NOW);
  if (h) {
    value = ((pd_fn(*)(void))dlsym(h, "s6_get"))();
    hidden = ((pd_fn(*)(void))dlsym(h, "s6_get_hidden"))();
    pd_probe("loader", "s6_value", value, PD_ID(61));
    pd_probe("loader", "s6_hidden", hidden, PD_ID(62));
  } else {
    pd_record("loader", "dlopen", 0, 0, -1, dlerror());
  }
  atomic_store(&loader_done, 1);
  return 0;
}
static void* second(void* arg) {
  pd_probe("worker2", "s6_value", value, PD_ID(61));
  pd_probe("worker2", "s6_hidden", hidden, PD_ID(62));
  atomic_store(&second_done, 1);
  return 0;
}
static void poll(void* arg) {
  // 20 s bound at 10 ms per poll.
  if (++polls > 2000) { pd_record("main", "wait", 0, 0, -1, "threads did not finish (hang)"); pd_finish(); }
  if (!atomic_load(&loader_done)) { emscripten_async_call(poll, 0, 10); return; }
  if (!arg) {
    if (value) {
      pd_probe("main", "s6_value", value, PD_ID(61));
      pd_probe("main", "s6_hidden", hidden, PD_ID(62));
    }
    pthread_t t;
    pthread_create(&t, 0, second, 0);
    pthread_detach(t);
    emscripten_async_call(poll, (void*)1, 10);
    return;
  }
  if (!atomic_load(&second_done)) { emscripten_async_call(poll, arg, 10); return; }
  pd_finish();
}
int main(void) {
  pd_make_js_gaps(5);
  pthread_t t;
  pthread_create(&t, 0, loader, 0);
  pthread_detach(t);
  emscripten_async_call(poll, 0, 10);
  emscripten_exit_with_live_runtime();
}
