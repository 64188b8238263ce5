#include "../harness/pd_check.h"
int s16_value(void) { return PD_ID(161); }
static int s16_hidden(void) { return PD_ID(162); }
pd_fn s16_get(void) { return s16_value; }
pd_fn s16_get_hidden(void) { return s16_hidden; }
