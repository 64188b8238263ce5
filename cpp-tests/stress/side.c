// One stress side module; built once per index k (-DK=k) as stress_k.so.
#include "../harness/pd_check.h"
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
int CAT(stress_value_, K)(void) { return PD_ID(500 + K); }
int CAT(stress_other_, K)(void) { return PD_ID(600 + K); }
pd_fn CAT(stress_get_, K)(int which) { return which ? CAT(stress_other_, K) : CAT(stress_value_, K); }
