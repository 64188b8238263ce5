#include "../harness/pd_check.h"
int s9_value(void) { return PD_ID(91); }
pd_fn s9_get(void) { return s9_value; }
