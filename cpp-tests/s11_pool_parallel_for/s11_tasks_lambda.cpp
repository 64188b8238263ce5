// C++ callables as tasks, loaded later still: each round builds a lambda capturing its state and
// hands the pool a pointer to a trampoline instantiated here (a function of this module).
#include <vector>
#include "s11_pool.h"

template <class F>
static void trampoline(int i, void* ctx) { (*static_cast<F*>(ctx))(i); }

template <class F>
static int parallel_for(s11_parallel_for_fn pf, int n, F& f, double timeout_ms) {
  return pf(n, &trampoline<F>, &f, timeout_ms);
}

// One round: returns the number of wrong results, or -1 if the pool did not finish.
extern "C" int s11_lambda_round(s11_parallel_for_fn pf, int round, int n, double timeout_ms) {
  std::vector<int> out(n, -1);
  int scale = round % 7 + 2;
  auto body = [&out, scale, round](int i) { out[i] = i * scale + round; };
  if (parallel_for(pf, n, body, timeout_ms) != 0) return -1;
  int wrong = 0;
  for (int i = 0; i < n; i++) wrong += out[i] != i * scale + round;
  return wrong;
}
