#include "s7_iface.h"
#include "../harness/pd_check.h"
namespace {
struct Square : Shape {
  int id() const override { return PD_ID(71); }
};
pd_fn registered;
}  // namespace
extern "C" int s7_free() { return PD_ID(72); }
extern "C" Shape* s7_make_shape() { return new Square(); }
extern "C" std::function<int()>* s7_make_function() {
  int captured = PD_ID(73);
  return new std::function<int()>([captured] { return captured; });
}
extern "C" pd_fn s7_address_of_free() { return s7_free; }
extern "C" void s7_register(pd_fn cb) { registered = cb; }
extern "C" int s7_call_registered() { return registered ? registered() : -1; }
