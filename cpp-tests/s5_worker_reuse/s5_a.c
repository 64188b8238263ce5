#include "../harness/pd_check.h"
int s5_a_value(void) { return PD_ID(51); }
pd_fn s5_a_get(void) { return s5_a_value; }
