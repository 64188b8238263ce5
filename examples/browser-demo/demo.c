// The browser demo (examples/browser-demo): the same program built twice, with stock emscripten
// and with pthread-dylink; index.html shows both builds side by side and runs both from one button.
//
// At start-up the main thread does what a web app's host code does: it registers three JS
// callbacks with addFunction (table slots only the main thread has), then dlopen()s a side module.
// It takes the address of each of the module's six functions with dlsym. The button calls
// demo_run(): a pthread calls every one of those pointers, then the main thread calls the same
// pointers, and the page shows which function each call ran.
#include <dlfcn.h>
#include <emscripten.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef const char* (*name_fn)(void);
static const char* expected_names[] = { "cat", "dog", "fox", "owl", "bee", "elk" };
#define MAX_FUNCS 6
#define TEXT_LEN 96

static name_fn animals[MAX_FUNCS];
static int animal_count;
static char thread_ran[MAX_FUNCS][TEXT_LEN];

// Calls pointer `fp` through the calling thread's own table. From JS and inside try/catch, so
// that a slot that is wrong in this thread shows up as a result instead of killing the worker.
static void call_here(name_fn fp, char* out) {
  EM_ASM({
    var text;
    try {
      if ($0 >= wasmTable.length) throw new Error('table index is out of bounds');
      var f = wasmTable.get($0);
      text = f ? UTF8ToString(f()) : 'error: null function';
    } catch (e) {
      text = 'error: ' + (e && e.message || e);
    }
    stringToUTF8(text, $1, $2);
  }, fp, out, TEXT_LEN);
}

static void* in_pthread(void* arg) {
  for (int i = 0; i < animal_count; i++) call_here(animals[i], thread_ran[i]);
  return 0;
}

// Called by the page's button: one row per pointer, handed to the page as JSON.
static void demo_run(void) {
  pthread_t t;
  memset(thread_ran, 0, sizeof thread_ran);
  if (pthread_create(&t, 0, in_pthread, 0) != 0 || pthread_join(t, 0) != 0) {
    EM_ASM({ Module['onDemoError']('pthread_create/join failed'); });
    return;
  }
  for (int i = 0; i < animal_count; i++) {
    char main_ran[TEXT_LEN];
    call_here(animals[i], main_ran);
    EM_ASM({
      Module['onDemoRow']({ name: UTF8ToString($0), slot: $1, main: UTF8ToString($2), pthread: UTF8ToString($3) });
    }, expected_names[i], animals[i], main_ran, thread_ran[i]);
  }
  EM_ASM({ Module['onDemoDone'](); });
}

int main(void) {
  // Host callbacks registered from JS: they exist in the main thread's table only.
  EM_ASM({ for (var i = 0; i < 3; i++) addFunction(function () { return 0; }, 'i'); });
  void* h = dlopen("demo_animals.so", RTLD_NOW);
  if (!h) {
    EM_ASM({ Module['onDemoError']('dlopen failed: ' + UTF8ToString($0)); }, dlerror());
    return 1;
  }
  for (animal_count = 0; animal_count < MAX_FUNCS; animal_count++) {
    animals[animal_count] = (name_fn)dlsym(h, expected_names[animal_count]);
    if (!animals[animal_count]) {
      EM_ASM({ Module['onDemoError']('dlsym failed: ' + UTF8ToString($0)); }, dlerror());
      return 1;
    }
  }
  // The page's button reaches demo_run through its table slot: no export list to keep in sync.
  EM_ASM({ Module['onDemoReady'](function () { wasmTable.get($0)(); }); }, demo_run);
  emscripten_exit_with_live_runtime();
}
