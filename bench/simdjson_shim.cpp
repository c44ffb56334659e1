// simdjson_shim.cpp — simdjson's On-Demand API behind a C interface (simdjson_shim.h),
// for `sluice bench codec`. Fields are read in document order, simdjson's best case.
#include <simdjson.h>

#include "simdjson_shim.h"

using namespace simdjson;

struct bench_simd {
  ondemand::parser parser;
};

extern "C" bench_simd *bench_simd_new(void) {
  return new (std::nothrow) bench_simd();
}

extern "C" void bench_simd_free(bench_simd *s) {
  delete s;
}

extern "C" int bench_simd_decode(bench_simd *s, const char *data, size_t len, size_t capacity,
                                 bench_simd_row *out) {
  ondemand::document doc;
  if (s->parser.iterate(padded_string_view(data, len, capacity)).get(doc)) return 1;
  ondemand::object obj;
  if (doc.get_object().get(obj)) return 1;
  std::string_view time, ticker;
  if (obj["event_time"].get_string().get(time)) return 1;
  if (obj["ticker_symbol"].get_string().get(ticker)) return 1;
  if (obj["change"].get_double().get(out->change)) return 1;
  if (obj["price"].get_double().get(out->price)) return 1;
  if (obj["volume"].get_int64().get(out->volume)) return 1;
  out->time = time.data();
  out->time_len = time.size();
  out->ticker = ticker.data();
  out->ticker_len = ticker.size();
  return 0;
}

extern "C" const char *bench_simd_implementation(void) {
  return get_active_implementation()->name().data();
}
