// EMSMDB (MS-OXCRPC 3.1.4) client over a Connection bound to EMSMDB: keeps the session context
// handle (CXH) EcDoConnectEx returns and the one each EcDoRpcExt2 hands back. ROP buffers
// (RPC_HEADER_EXT, compression, obfuscation) are built by src/wire and src/rop; this class only
// carries them.
#pragma once

#include "rpc/connection.hpp"

namespace exmapi::rpc {

class EmsmdbClient {
 public:
  explicit EmsmdbClient(Connection connection);
  explicit EmsmdbClient(const ConnectOptions& options) : EmsmdbClient(Connection(kEmsmdb, options)) {}

  Connection& connection() { return connection_; }
  const Connection& connection() const { return connection_; }
  const ndr::ContextHandle& session() const { return cxh_; }
  bool connected() const { return !cxh_.is_null(); }

  // MS-OXCRPC 3.1.4.1. Throws on an error ReturnValue; keeps the CXH on success.
  ndr::emsmdb::EcDoConnectEx::Response connect_ex(const ndr::emsmdb::EcDoConnectEx::Request& request);
  // MS-OXCRPC 3.1.4.2. `in` is the whole rgbIn (RPC_HEADER_EXT and payload); out_size the most the
  // client accepts (pcbOut, at most 0x40000).
  ndr::emsmdb::EcDoRpcExt2::Response rpc_ext2(uint32_t flags, const Bytes& in, uint32_t out_size,
                                              const Bytes& aux_in = {}, uint32_t aux_out_size = 0x1008);
  // MS-OXCRPC 3.1.4.3: ends the session; the CXH is null afterwards.
  void disconnect();
  // MS-OXCRPC 3.1.4.6: a round trip that does nothing (reachability check).
  uint32_t dummy_rpc();
  // MS-OXCRPC 3.1.4.4: the asynchronous context handle for AsyncEMSMDB's EcDoAsyncWaitEx.
  ndr::ContextHandle async_connect_ex();

 private:
  void require_session(std::string_view method) const;
  Connection connection_;
  ndr::ContextHandle cxh_;
};

}  // namespace exmapi::rpc
