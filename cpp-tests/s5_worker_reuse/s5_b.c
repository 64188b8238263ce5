#include "../harness/pd_check.h"
int s5_b_value(void) { return PD_ID(52); }
static int s5_b_hidden(void) { return PD_ID(53); }
pd_fn s5_b_get(void) { return s5_b_value; }
pd_fn s5_b_get_hidden(void) { return s5_b_hidden; }
