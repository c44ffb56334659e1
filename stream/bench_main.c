/* bench_main.c — `sluice-bench-store`: runs bench/store.c on its own. */
#include "bench/bench.h"

int main(int argc, char **argv) {
  return bench_store_main(argc, argv);
}
