#pragma once
#include <functional>
struct Shape {
  virtual ~Shape() {}
  virtual int id() const = 0;
};
typedef int (*pd_fn)(void);
extern "C" {
Shape* s7_make_shape();                    // object whose vtable lives in the side module
std::function<int()>* s7_make_function();  // lambda created in the side module
pd_fn s7_address_of_free();                // &s7_free as this thread's instance of the module sees it
void s7_register(pd_fn cb);                // stores a callback for another thread to call
int s7_call_registered();
}
