#include "../harness/pd_check.h"
// Never address-taken in C: the host looks them up among the module's exports.
int s8_hidden(void) { return PD_ID(81); }
int s8_value(void) { return PD_ID(80); }
pd_fn s8_get(void) { return s8_value; }
