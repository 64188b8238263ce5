// S9: the host registers a JS callback on the main thread (a gap slot that can only ever mean
// something there), then loads a side module. A worker handed the callback's pointer must get an
// error that says what the slot is and what to do, and the module's own pointer must still work.
#include <dlfcn.h>
#include "../harness/pd_check.h"
static pd_fn js_callback, side_value;
static void* worker(void* arg) {
  pd_probe_error("worker1", "main-thread JS callback", js_callback, "holds a JS function (signature 'i') that the main thread added");
  pd_probe("worker1", "s9_value", side_value, PD_ID(91));
  return 0;
}
int main(void) {
  pd_make_js_gaps(2);
  js_callback = (pd_fn)(uintptr_t)EM_ASM_INT({ return Number(addFunction(function() { return 9; }, 'i')); });
  void* h = dlopen("s9_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  side_value = ((pd_fn(*)(void))dlsym(h, "s9_get"))();
  pd_probe("main", "main-thread JS callback", js_callback, 9);
  pd_probe("main", "s9_value", side_value, PD_ID(91));
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pd_join(t, "worker1", 20000);
  pd_finish();
}
