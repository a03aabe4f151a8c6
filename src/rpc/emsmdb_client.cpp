#include "rpc/emsmdb_client.hpp"

namespace exmapi::rpc {

namespace emsmdb = ndr::emsmdb;

EmsmdbClient::EmsmdbClient(Connection connection) : connection_(std::move(connection)) {
  detail::check_interface(connection_, kEmsmdb, "EmsmdbClient");
}

void EmsmdbClient::require_session(std::string_view method) const {
  if (!connected())
    throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string(method) + " needs the session handle of EcDoConnectEx: call connect_ex() first");
}

emsmdb::EcDoConnectEx::Response EmsmdbClient::connect_ex(const emsmdb::EcDoConnectEx::Request& request) {
  auto resp = call<emsmdb::EcDoConnectEx>(connection_, request);
  check_result(request.kName, resp.result);
  if (resp.cxh.is_null())
    throw Error(EXMAPI_E_PROTOCOL, "EcDoConnectEx succeeded but the server returned a null session handle");
  cxh_ = resp.cxh;
  return resp;
}

emsmdb::EcDoRpcExt2::Response EmsmdbClient::rpc_ext2(uint32_t flags, const Bytes& in, uint32_t out_size,
                                                     const Bytes& aux_in, uint32_t aux_out_size) {
  require_session("EcDoRpcExt2");
  emsmdb::EcDoRpcExt2::Request r;
  r.cxh = cxh_;
  r.flags = flags;
  r.in = in;
  r.out_size = out_size;
  r.aux_in = aux_in;
  r.aux_out_size = aux_out_size;
  auto resp = call<emsmdb::EcDoRpcExt2>(connection_, r);
  // The server nulls the CXH when it ends the session (MS-OXCRPC 3.1.4.2), whatever the result.
  cxh_ = resp.cxh;
  check_result(r.kName, resp.result);
  return resp;
}

void EmsmdbClient::disconnect() {
  require_session("EcDoDisconnect");
  emsmdb::EcDoDisconnect::Request r;
  r.cxh = cxh_;
  auto resp = call<emsmdb::EcDoDisconnect>(connection_, r);
  cxh_ = resp.cxh;
  check_result(r.kName, resp.result);
}

uint32_t EmsmdbClient::dummy_rpc() {
  auto resp = call<emsmdb::EcDummyRpc>(connection_, {});
  check_result("EcDummyRpc", resp.result);
  return resp.result;
}

ndr::ContextHandle EmsmdbClient::async_connect_ex() {
  require_session("EcDoAsyncConnectEx");
  emsmdb::EcDoAsyncConnectEx::Request r;
  r.cxh = cxh_;
  auto resp = call<emsmdb::EcDoAsyncConnectEx>(connection_, r);
  check_result(r.kName, resp.result);
  return resp.acxh;
}

}  // namespace exmapi::rpc
