#include "../harness/pd_check.h"
int s6_value(void) { return PD_ID(61); }
static int s6_hidden(void) { return PD_ID(62); }
pd_fn s6_get(void) { return s6_value; }
pd_fn s6_get_hidden(void) { return s6_hidden; }
