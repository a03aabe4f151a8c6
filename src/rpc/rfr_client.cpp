#include "rpc/rfr_client.hpp"

namespace exmapi::rpc {

namespace rfr = ndr::rfr;

RfrClient::RfrClient(Connection connection) : connection_(std::move(connection)) {
  detail::check_interface(connection_, kRfr, "RfrClient");
}

std::string RfrClient::get_new_dsa(const std::string& user_dn) {
  rfr::RfrGetNewDSA::Request r;
  r.user_dn = user_dn;
  // Both [in, out] string pointers point to a NULL string: "give me one" (MS-OXABREF 3.1.4.1).
  r.unused.emplace();
  r.server.emplace();
  auto resp = call<rfr::RfrGetNewDSA>(connection_, r);
  check_result(r.kName, resp.result);
  if (!resp.server || !*resp.server || resp.server->value().empty())
    throw Error(EXMAPI_E_PROTOCOL, "RfrGetNewDSA succeeded without naming a server");
  return **resp.server;
}

std::string RfrClient::get_fqdn_from_server_dn(const std::string& server_dn) {
  rfr::RfrGetFQDNFromServerDN::Request r;
  r.server_dn = server_dn;
  // cbMailboxServerDN: the string's size with its NUL, [range(10, 1024)].
  if (server_dn.size() + 1 > 1024)
    throw Error(EXMAPI_E_INVALID_ARGUMENT, "server DN longer than 1023 bytes (MS-OXABREF cbMailboxServerDN range)");
  r.server_dn_size = static_cast<uint32_t>(std::max<size_t>(server_dn.size() + 1, 10));
  auto resp = call<rfr::RfrGetFQDNFromServerDN>(connection_, r);
  check_result(r.kName, resp.result);
  if (!resp.server_fqdn || resp.server_fqdn->empty())
    throw Error(EXMAPI_E_PROTOCOL, "RfrGetFQDNFromServerDN succeeded without naming a server");
  return *resp.server_fqdn;
}

}  // namespace exmapi::rpc
