// S4: the pool workers exist (and loaded everything known at startup) before the dlopen; they
// catch up on it when a pthread starts on them.
#include <dlfcn.h>
#include "../harness/pd_check.h"
static pd_fn value, other, via_dlsym;
static void* worker(void* label) {
  pd_probe((const char*)label, "s4_value", value, PD_ID(41));
  pd_probe((const char*)label, "s4_other", other, PD_ID(42));
  pd_probe((const char*)label, "s4_value via dlsym", via_dlsym, PD_ID(41));
  return 0;
}
int main(void) {
  pd_make_js_gaps(5);
  void* h = dlopen("s4_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  value = ((pd_fn(*)(void))dlsym(h, "s4_get"))();
  other = ((pd_fn(*)(void))dlsym(h, "s4_get_other"))();
  via_dlsym = (pd_fn)dlsym(h, "s4_value");
  pd_probe("main", "s4_value", value, PD_ID(41));
  pthread_t t1, t2;
  pthread_create(&t1, 0, worker, (void*)"worker1");
  pthread_create(&t2, 0, worker, (void*)"worker2");
  pd_join(t1, "worker1", 20000);
  pd_join(t2, "worker2", 20000);
  pd_finish();
}
