// S2: the Pyodide sequence. The host appends table entries, preloads the extension module from JS
// (loadDynamicLibrary with loadAsync, as Pyodide does; no dso handle, so nothing records it for
// workers), appends more, then C code dlopen()s it.
#include <dlfcn.h>
#include "../harness/pd_check.h"
static pd_fn main_value, main_hidden;
static pd_fn (*get)(void);
static pd_fn (*get_hidden)(void);

static void report(const char* thread) {
  pd_probe(thread, "main's s2_value", main_value, PD_ID(21));
  pd_probe(thread, "main's s2_hidden", main_hidden, PD_ID(22));
  pd_expect_eq(thread, "&s2_value same as main", (uintptr_t)get(), (int)(uintptr_t)main_value, (int)(uintptr_t)get());
  pd_probe(thread, "s2_value via own lookup", get(), PD_ID(21));
}
static void after_js_load(void) {
  pd_make_js_gaps(2);
  void* h = dlopen("s2_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); pd_finish(); }
  get = (pd_fn(*)(void))dlsym(h, "s2_get");
  get_hidden = (pd_fn(*)(void))dlsym(h, "s2_get_hidden");
  int (*run)(void (*)(const char*)) = (int (*)(void (*)(const char*)))dlsym(h, "s2_run");
  main_value = get();
  main_hidden = get_hidden();
  report("main");
  run(report);
  pd_finish();
}
int main(void) {
  pd_make_js_gaps(5);
  pd_js_load_async("s2_side.so", after_js_load);
  emscripten_exit_with_live_runtime();
}
