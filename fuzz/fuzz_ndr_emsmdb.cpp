// Fuzzes NDR decoding of every EMSMDB request and response stub (see ndr_fuzz_common.hpp).
#include "ndr_fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return exmapi::ndr::fuzz::run<exmapi::ndr::EmsmdbMethods>(data, size);
}
