// Fuzzes the Autodiscover document parsers (POX request and response, v2 JSON). What parses must
// rebuild with the server's builder and parse again to the same value: one codec, both ways.
#include <cstdlib>
#include <string_view>

#include "autodiscover/autodiscover_codec.hpp"
#include "base/error.hpp"

using namespace exmapi;
using namespace exmapi::autodiscover;

namespace {
template <class Parse, class Build>
void round_trip(std::string_view input, Parse parse, Build build) {
  try {
    auto value = parse(input);
    auto again = parse(build(value));
    if (!(again == value)) std::abort();
  } catch (const Error& e) {
    // Refusals are fine; an encode failure of something that parsed is a codec mismatch.
    if (e.status() == EXMAPI_E_ENCODE) std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  round_trip(input, [](std::string_view s) { return parse_pox_response(s); }, [](const PoxResponse& r) { return build_pox_response(r); });
  round_trip(input, [](std::string_view s) { return parse_pox_request(s); }, [](const PoxRequest& r) { return build_pox_request(r); });
  round_trip(input, [](std::string_view s) { return parse_json_v2_response(s); },
             [](const JsonV2Response& r) { return build_json_v2_response(r); });
  return 0;
}
