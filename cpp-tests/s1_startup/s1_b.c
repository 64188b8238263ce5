#include "../harness/pd_check.h"
int s1_b_value(void) { return PD_ID(12); }
pd_fn s1_b_get(void) { return s1_b_value; }
