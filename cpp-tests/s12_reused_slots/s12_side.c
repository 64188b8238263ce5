#include "../harness/pd_check.h"
int s12_value(void) { return PD_ID(120); }
pd_fn s12_get(void) { return s12_value; }
// An export whose address no code takes: it gets a table slot only when the host adds it.
void* s12_start(void* out) {
  *(int*)out = PD_ID(121);
  return out;
}
