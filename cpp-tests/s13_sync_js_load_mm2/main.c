// S13: a side module loaded from JS without a dso handle, synchronously, by a MAIN_MODULE=2
// program that exports no malloc (the usual case: only what the program itself uses is kept).
// The plugin must still record where the module's data went (its scratch handle comes from the
// stack), so a worker replaying the later dlopen uses the same memory instead of a fresh copy.
#include <dlfcn.h>
#include "../harness/pd_check.h"

static pd_fn side_value;
static int (*read_data)(void);

static void* worker(void* arg) {
  pd_probe("worker1", "s13_value", side_value, PD_ID(130));
  pd_expect_eq("worker1", "module data the main thread wrote", 0, 42, read_data());
  return 0;
}

int main(void) {
  pd_make_js_gaps(3);
  EM_ASM({ loadDynamicLibrary('s13_side.so', {global: true, nodelete: true}); });
  pd_make_js_gaps(2);
  void* h = dlopen("s13_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); pd_finish(); }
  side_value = ((pd_fn(*)(void))dlsym(h, "s13_get"))();
  read_data = (int (*)(void))dlsym(h, "s13_read_data");
  ((void (*)(int))dlsym(h, "s13_set_data"))(42);
  pd_probe("main", "s13_value", side_value, PD_ID(130));
  pd_expect_eq("main", "module data", 0, 42, read_data());
  EM_ASM({ if (typeof _malloc == 'function') out('note: this build exports malloc'); });
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pd_join(t, "worker1", 20000);
  pd_finish();
}
