// S12: slots that change meaning after workers hold them.
//  1. The host frees the slot of a side module's export (every thread got the export there
//     when the module loaded) and addFunction reuses it for a JS callback. A worker must not
//     keep calling the export: the slot now holds the callback, which only runs on main.
//  2. A worker calls a JS callback's slot through getWasmTableEntry (what dynCall, invoke_* and
//     pthread start routines use), which caches what it found in emscripten's wasmTableMirror.
//     The host then frees the slot and reuses it for a wasm export, and starts a pthread with
//     that slot as its start routine: the worker must run the export, not its cached stub.
#include <dlfcn.h>
#include "../harness/pd_check.h"

static pd_fn side_value, reused_export_slot, js_then_wasm;

// Calls slot `fp` through emscripten's cached lookup, as dynCall does; 1 if it raised an error.
static int call_cached(uintptr_t fp) {
  return EM_ASM_INT({
    try { getWasmTableEntry($0)(); return 0; } catch (e) { return 1; }
  }, fp);
}

static void* first(void* arg) {
  pd_probe_error("worker1", "export slot freed, reused for a JS callback", reused_export_slot,
                 "holds a JS function (signature 'i') that the main thread added");
  pd_expect_eq("worker1", "JS slot called through getWasmTableEntry raises", (uintptr_t)js_then_wasm, 1,
               call_cached((uintptr_t)js_then_wasm));
  return 0;
}

int main(void) {
  pd_make_js_gaps(2);
  void* h = dlopen("s12_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); pd_finish(); }
  side_value = ((pd_fn(*)(void))dlsym(h, "s12_get"))();
  pd_probe("main", "s12_value", side_value, PD_ID(120));
  // 1: addFunction of an export returns the slot the module load gave it; free it, reuse it.
  reused_export_slot = (pd_fn)(uintptr_t)EM_ASM_INT({
    var slot = addFunction(LDSO.loadedLibsByName['s12_side.so'].exports['s12_value']);
    removeFunction(slot);
    return Number(addFunction(function() { return 12; }, 'i'));
  });
  pd_expect_eq("main", "addFunction reused the export's slot", (uintptr_t)reused_export_slot,
               (int)(uintptr_t)side_value, (int)(uintptr_t)reused_export_slot);
  pd_probe("main", "export slot freed, reused for a JS callback", reused_export_slot, 12);
  // 2: a JS callback's slot, called in the worker first.
  js_then_wasm = (pd_fn)(uintptr_t)EM_ASM_INT({ return Number(addFunction(function() { return 5; }, 'i')); });

  pthread_t t;
  pthread_create(&t, 0, first, 0);
  pd_join(t, "worker1", 20000);

  uintptr_t start = EM_ASM_INT({
    // 6.x gives the export a slot as the module loads (3.1.x does not): free that one first, so
    // addFunction hands out the JS slot, the last one freed.
    var s12_start = LDSO.loadedLibsByName['s12_side.so'].exports['s12_start'];
    var loaded = getFunctionAddress(s12_start);
    if (loaded) removeFunction(loaded);
    removeFunction($0);
    return Number(addFunction(s12_start, 'pp'));
  }, js_then_wasm);
  pd_expect_eq("main", "addFunction reused the JS slot for the export", start, (int)(uintptr_t)js_then_wasm, (int)start);
  static int out;
  if (pthread_create(&t, 0, (void* (*)(void*))start, &out) == 0) pd_join(t, "worker1-again", 20000);
  pd_expect_eq("worker1-again", "pthread started at the reused slot ran the export", start, PD_ID(121), out);
  pd_finish();
}
