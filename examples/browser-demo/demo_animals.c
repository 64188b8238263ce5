// The side module of the browser demo: six functions, each returning its own name. The program
// takes their addresses with dlsym, as a plugin host or an FFI does.
const char* cat(void) { return "cat"; }
const char* dog(void) { return "dog"; }
const char* fox(void) { return "fox"; }
const char* owl(void) { return "owl"; }
const char* bee(void) { return "bee"; }
const char* elk(void) { return "elk"; }
