// The task module the main thread dlopens while the pool's threads sleep (S18) or spin (S19).
int s18_square(int i) { return i * i; }
int s18_triple(int i) { return 3 * i + 1; }
