// S8: the host (JS on the main thread, as Pyodide does) puts wasm functions into the table with
// addFunction after table gaps and a dlopen:
//   - a side module's export, looked up in LDSO: emscripten gave every export a slot while the
//     module loaded, so addFunction returns that slot, and a worker must call the same function;
//   - a wasm function the host instantiated itself from bytes: no loaded module exports it, but
//     a worker can make its own copy from the same bytes (issue 18), and must run that.
// Then, with the pool worker already running pthreads, the host frees a JS callback's slot and
// reuses it for a callback of another signature: the worker's next pthread must see the new one.
#include <dlfcn.h>
#include "../harness/pd_check.h"

static pd_fn side_value, side_hidden, host_wasm, js_callback, reused;

static void* first(void* arg) {
  pd_probe("worker1", "side module export added from JS", side_hidden, PD_ID(81));
  pd_probe("worker1", "s8_value", side_value, PD_ID(80));
  pd_probe("worker1", "host-made wasm function", host_wasm, PD_ID(84));
  pd_probe_error("worker1", "main-thread JS callback", js_callback, "holds a JS function (signature 'i') that the main thread added");
  return 0;
}

static void* second(void* arg) {
  pd_probe_error("worker1-again", "freed JS slot reused", reused, "holds a JS function (signature 'ii') that the main thread added");
  pd_probe("worker1-again", "side module export added from JS", side_hidden, PD_ID(81));
  return 0;
}

int main(void) {
  pd_make_js_gaps(2);
  void* h = dlopen("s8_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  side_value = ((pd_fn(*)(void))dlsym(h, "s8_get"))();
  side_hidden = (pd_fn)(uintptr_t)EM_ASM_INT({ return Number(addFunction(LDSO.loadedLibsByName['s8_side.so'].exports['s8_hidden'])); });
  host_wasm = (pd_fn)(uintptr_t)EM_ASM_INT({
    // (module (func (export "f") (result i32) i32.const 84)) returning PD_ID(84) = 1084.
    var bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0,
                                7, 5, 1, 1, 102, 0, 0, 10, 7, 1, 5, 0, 65, 188, 8, 11]);
    return Number(addFunction(new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f, 'i'));
  });
  js_callback = (pd_fn)(uintptr_t)EM_ASM_INT({ return Number(addFunction(function() { return 7; }, 'i')); });
  pd_probe("main", "side module export added from JS", side_hidden, PD_ID(81));
  pd_probe("main", "host-made wasm function", host_wasm, PD_ID(84));

  pthread_t t;
  pthread_create(&t, 0, first, 0);
  pd_join(t, "worker1", 20000);

  EM_ASM({ removeFunction($0); }, js_callback);
  reused = (pd_fn)(uintptr_t)EM_ASM_INT({ return Number(addFunction(function(x) { return x; }, 'ii')); });
  // The second half is about a slot that changed meaning: emscripten hands freed slots out again.
  pd_expect_eq("main", "addFunction reused the freed slot", (uintptr_t)reused, (int)(uintptr_t)js_callback, (int)(uintptr_t)reused);

  pthread_create(&t, 0, second, 0);
  pd_join(t, "worker1-again", 20000);
  pd_finish();
}
