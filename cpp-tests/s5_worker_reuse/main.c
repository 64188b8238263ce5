// S5: a single pool worker runs two pthreads. Between them the main thread opens more gaps and
// loads another module, so the reused worker must catch up on a table that moved again.
#include <dlfcn.h>
#include "../harness/pd_check.h"
static pd_fn a_value, b_value, b_hidden;
static void* first(void* arg) {
  pd_probe("worker1-first", "s5_a_value", a_value, PD_ID(51));
  return 0;
}
static void* second(void* arg) {
  pd_probe("worker1-second", "s5_a_value", a_value, PD_ID(51));
  pd_probe("worker1-second", "s5_b_value", b_value, PD_ID(52));
  pd_probe("worker1-second", "s5_b_hidden", b_hidden, PD_ID(53));
  return 0;
}
int main(void) {
  pd_make_js_gaps(5);
  void* ha = dlopen("s5_a.so", RTLD_NOW);
  if (!ha) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  a_value = ((pd_fn(*)(void))dlsym(ha, "s5_a_get"))();
  pthread_t t;
  pthread_create(&t, 0, first, 0);
  pd_join(t, "worker1-first", 20000);

  pd_make_js_gaps(3);
  void* hb = dlopen("s5_b.so", RTLD_NOW);
  if (!hb) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  pd_make_js_gaps(2);
  b_value = ((pd_fn(*)(void))dlsym(hb, "s5_b_get"))();
  b_hidden = ((pd_fn(*)(void))dlsym(hb, "s5_b_get_hidden"))();
  pd_probe("main", "s5_b_value", b_value, PD_ID(52));
  pthread_create(&t, 0, second, 0);
  pd_join(t, "worker1-second", 20000);
  pd_finish();
}
