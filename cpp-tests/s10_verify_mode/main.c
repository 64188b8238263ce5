// S10: with the verify mode on, a pthread on a worker whose table is right starts normally; then
// that thread overwrites one of the side module's slots in its own table (as a stray
// wasmTable.set, or a bug in a tool that edits tables, would). The next pthread on the same
// worker must not start: the verify mode stops it with an error naming the slot, the module and
// what each thread has there; without the check, it would silently call the wrong function.
//
// The corruption is made only where a table verifier is linked in (the plugin's runtime, or the
// upstream patch's TableSync), and the run says which (PDVERIFIER on|off): a build without one
// runs the same program uncorrupted, all three probes, which pass wherever the table bug is fixed
// and fail on stock emscripten (the pointers come after JS gaps). scenario.json's `withoutVerifier`
// judges those runs; the suite requires "on" for every plugin route and "off" for stock.
#include <dlfcn.h>
#include "../harness/pd_check.h"

static pd_fn first_fn, second_fn;

static int has_verifier(void) {
  return EM_ASM_INT({ return typeof pthreadDylink != 'undefined' || typeof TableSync != 'undefined'; });
}
static int verifier;

static void* healthy_then_corrupt(void* arg) {
  pd_probe("worker1", "s10_first", first_fn, PD_ID(101));
  pd_probe("worker1", "s10_second", second_fn, PD_ID(102));
  if (!verifier) return 0;
  EM_ASM({
    var index = typeof wasmTable.length == 'bigint' ? BigInt : Number;
    wasmTable.set(index($0), wasmTable.get(index($1)));
  }, first_fn, second_fn);
  return 0;
}

static void* after_corruption(void* arg) {
  pd_probe("worker1-again", "s10_first", first_fn, PD_ID(101));
  return 0;
}

int main(void) {
  verifier = has_verifier();
  printf("PDVERIFIER %s\n", verifier ? "on" : "off");
  pd_make_js_gaps(3);
  void* h = dlopen("s10_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  first_fn = ((pd_fn(*)(void))dlsym(h, "s10_get_first"))();
  second_fn = ((pd_fn(*)(void))dlsym(h, "s10_get_second"))();
  pthread_t t;
  pthread_create(&t, 0, healthy_then_corrupt, 0);
  pd_join(t, "worker1", 20000);
  // Printed now: the run must show the healthy start passed before the error stops it.
  pd_print_checks();
  pthread_create(&t, 0, after_corruption, 0);
  pd_join(t, "worker1-again", 20000);
  pd_finish();
}
