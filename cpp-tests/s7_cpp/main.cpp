// S7: the C++ ways a function pointer crosses threads without anyone writing one: a vtable (its
// slots are table indices stored in shared memory), a std::function, a registered callback, and
// the address of a function taken in each thread.
#include <dlfcn.h>
#include "s7_iface.h"
#include "../harness/pd_check.h"

static Shape* shape;
static std::function<int()>* fn;
static pd_fn main_free_addr;
static decltype(&s7_make_shape) make_shape;
static decltype(&s7_make_function) make_function;
static decltype(&s7_address_of_free) address_of_free;
static decltype(&s7_register) register_cb;
static decltype(&s7_call_registered) call_registered;

// Thunks live in the main module (same slot everywhere), so pd_probe can run them under JS
// try/catch and turn a trap inside into a recorded failure.
extern "C" {
EMSCRIPTEN_KEEPALIVE int thunk_virtual() { return shape->id(); }
EMSCRIPTEN_KEEPALIVE int thunk_function() { return (*fn)(); }
EMSCRIPTEN_KEEPALIVE int thunk_registered() { return call_registered(); }
}
static int worker_local() { return PD_ID(74); }

static void* worker(void*) {
  pd_probe("worker1", "virtual Square::id", thunk_virtual, PD_ID(71));
  pd_probe("worker1", "std::function from side", thunk_function, PD_ID(73));
  pd_probe("worker1", "callback registered by main", thunk_registered, PD_ID(72));
  pd_fn here = address_of_free();
  pd_expect_eq("worker1", "&s7_free equals main's", (uintptr_t)here, (int)(uintptr_t)main_free_addr, (int)(uintptr_t)here);
  pd_probe("worker1", "&s7_free taken here", here, PD_ID(72));
  // Register from this thread; main calls it after join.
  register_cb(worker_local);
  return 0;
}
int main() {
  pd_make_js_gaps(5);
  void* h = dlopen("s7_side.so", RTLD_NOW);
  if (!h) { printf("dlopen failed: %s\n", dlerror()); return 1; }
  make_shape = (decltype(make_shape))dlsym(h, "s7_make_shape");
  make_function = (decltype(make_function))dlsym(h, "s7_make_function");
  address_of_free = (decltype(address_of_free))dlsym(h, "s7_address_of_free");
  register_cb = (decltype(register_cb))dlsym(h, "s7_register");
  call_registered = (decltype(call_registered))dlsym(h, "s7_call_registered");
  shape = make_shape();
  fn = make_function();
  main_free_addr = address_of_free();
  register_cb(main_free_addr);
  pd_probe("main", "virtual Square::id", thunk_virtual, PD_ID(71));
  pd_probe("main", "std::function from side", thunk_function, PD_ID(73));
  pthread_t t;
  pthread_create(&t, 0, worker, 0);
  pd_join(t, "worker1", 20000);
  pd_probe("main", "callback registered by worker", thunk_registered, PD_ID(74));
  pd_finish();
}
