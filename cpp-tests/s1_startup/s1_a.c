#include "../harness/pd_check.h"
int s1_a_value(void) { return PD_ID(11); }
pd_fn s1_a_get(void) { return s1_a_value; }
