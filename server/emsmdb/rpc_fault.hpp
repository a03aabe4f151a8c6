// A call the server refuses at the RPC level: the host answers it with a DCE/RPC fault PDU carrying
// `code` instead of a response stub (C706 12.6.4.7; the codes are Samba's DCERPC_FAULT_*).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace exmapi::server {

class RpcFault : public std::runtime_error {
 public:
  static constexpr uint32_t kOpRangeError = 0x1C010002;    // DCERPC_FAULT_OP_RNG_ERROR: no such opnum
  static constexpr uint32_t kContextMismatch = 0x1C00001A; // DCERPC_FAULT_CONTEXT_MISMATCH: unknown context handle
  static constexpr uint32_t kBadStubData = 0x000006F7;     // DCERPC_FAULT_NDR: the stub does not decode

  RpcFault(uint32_t code, const std::string& why) : std::runtime_error(why), code_(code) {}
  uint32_t code() const noexcept { return code_; }

 private:
  uint32_t code_;
};

}  // namespace exmapi::server
