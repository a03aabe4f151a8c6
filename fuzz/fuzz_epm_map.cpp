// Fuzzes the reference server's endpoint mapper (server/epm): an ept_map request stub, towers
// included, must either be answered or refused with an RpcFault, never crash; an answer must decode
// with the same NDR description the server encoded it from.
#include <cstdlib>

#include "ndr/ndr.hpp"
#include "server/epm/endpoint_mapper.hpp"
#include "server/rpc_fault.hpp"

using namespace exmapi;
using namespace exmapi::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const epm::EndpointMapper mapper = [] {
    epm::EndpointMapper m;
    m.add("A4F1DB00-CA47-1067-B31F-00DD010662DA", 0, 81, "127.0.0.1", 6001);
    m.add("F5CC5A18-4264-101A-8C59-08002B2F8426", 56, 0, "127.0.0.1", 6004);
    return m;
  }();
  Bytes answer;
  try {
    answer = mapper.call(epm::EptMap::kOpnum, ByteView(data, size));
  } catch (const RpcFault&) {
    return 0;
  }
  try {
    (void)ndr::decode_stub<epm::EptMap::Response>(answer);
  } catch (const std::exception&) {
    std::abort();  // the server's own answer must decode
  }
  return 0;
}
