// S17 (H-b): emscripten #19848 as it was reported: a dlopen inside std::async while the main
// thread waits on the future. The wait is future::wait_for with a bound instead of get(): a
// timeout is recorded as a hang and ends the run.
#include <dlfcn.h>
#include <chrono>
#include <future>
#include <thread>
#include "../harness/pd_check.h"

struct Loaded { pd_fn value = nullptr, hidden = nullptr; };

static Loaded load_in_thread() {
  pd_make_js_gaps(1);
  Loaded got;
  void* h = dlopen("s17_side.so", RTLD_NOW);
  if (!h) {
    pd_record("async", "dlopen", 0, 0, -1, dlerror());
    return got;
  }
  got.value = ((pd_fn(*)(void))dlsym(h, "s17_get"))();
  got.hidden = ((pd_fn(*)(void))dlsym(h, "s17_get_hidden"))();
  pd_probe("async", "s17_value", got.value, PD_ID(171));
  pd_probe("async", "s17_hidden", got.hidden, PD_ID(172));
  return got;
}

int main() {
  pd_make_js_gaps(5);
  std::future<Loaded> loading = std::async(std::launch::async, load_in_thread);
  if (loading.wait_for(std::chrono::seconds(8)) != std::future_status::ready) {
    pd_record("main", "future", 0, 0, -1, "the std::async dlopen did not finish within the bound (hang)");
    pd_finish();
  }
  Loaded got = loading.get();
  pd_make_js_gaps(2);
  if (got.value) {
    pd_probe("main", "s17_value", got.value, PD_ID(171));
    pd_probe("main", "s17_hidden", got.hidden, PD_ID(172));
  }
  // A thread started after the load catches up at its start.
  std::thread other([&] {
    pd_probe("thread", "s17_value", got.value, PD_ID(171));
    pd_probe("thread", "s17_hidden", got.hidden, PD_ID(172));
  });
  other.join();
  pd_finish();
}
