// S14: heap addresses past 2 GiB in a 32-bit build (-sMAXIMUM_MEMORY=4GB). A signed `p >> 2`
// turns such an address into a negative index: a store there is silently dropped. The host
// loads a module from JS, then C dlopen()s it with a handle malloc'd past 2 GiB; the plugin
// writes the layout of the JS load into that handle, and a worker replaying the dlopen reads it.
// (The side module is S13's: functions and data with no imports.)
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
  // Push the heap past 2 GiB, then use up the free memory below it (small blocks), so what
  // dlopen allocates next lies above 2 GiB.
  // (volatile: a block whose address nothing keeps may be optimized away, malloc and all)
  static void* volatile hog;
  hog = malloc((size_t)2100 << 20);
  static void* volatile low;
  for (int i = 0; i < 1000000 && (uintptr_t)(low = malloc(256)) < 0x80000000u; i++) {}
  pd_make_js_gaps(3);
  EM_ASM({ loadDynamicLibrary('s14_side.so', {global: true, nodelete: true}); });
  pd_make_js_gaps(2);
  void* h = dlopen("s14_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); pd_finish(); }
  pd_expect_eq("main", "heap hog allocated", 0, 1, hog != 0);
  pd_expect_eq("main", "dlopen handle lies past 2 GiB", 0, 1, (uintptr_t)h > 0x80000000u);
  side_value = ((pd_fn(*)(void))dlsym(h, "s13_get"))();
  read_data = (int (*)(void))dlsym(h, "s13_read_data");
  ((void (*)(int))dlsym(h, "s13_set_data"))(42);
  pd_probe("main", "s13_value", side_value, PD_ID(130));
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pd_join(t, "worker1", 20000);
  pd_finish();
}
