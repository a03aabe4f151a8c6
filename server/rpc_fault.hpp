// A call the server refuses at the RPC level: the host answers it with a DCE/RPC fault PDU carrying
// `code` instead of a response stub (MS-RPCE 2.2.2.11, C706 appendix E status codes).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace exmapi::server {

// C706 / MS-RPCE fault codes the handlers use.
constexpr uint32_t kFaultOpRangeError = 0x1C010002;     // nca_s_op_rng_error: unknown opnum
constexpr uint32_t kFaultNdr = 0x000006F7;              // RPC_X_BAD_STUB_DATA: undecodable stub
constexpr uint32_t kFaultContextMismatch = 0x1C00001A;  // nca_s_fault_context_mismatch: bad context handle
constexpr uint32_t kFaultAccessDenied = 0x00000005;
constexpr uint32_t kFaultOther = 0x00000001;

class RpcFault : public std::runtime_error {
 public:
  static constexpr uint32_t kOpRangeError = kFaultOpRangeError;
  static constexpr uint32_t kContextMismatch = kFaultContextMismatch;
  static constexpr uint32_t kBadStubData = kFaultNdr;

  RpcFault(uint32_t code, const std::string& why) : std::runtime_error(why), code_(code) {}
  uint32_t code() const noexcept { return code_; }

 private:
  uint32_t code_;
};

}  // namespace exmapi::server
