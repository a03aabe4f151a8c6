// The Autodiscover client (MS-OXDSCLI 3.1.5): from an email address and credentials to the
// endpoints a MAPI session connects to.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autodiscover/autodiscover_codec.hpp"
#include "http/http_client.hpp"

namespace exmapi::autodiscover {

enum class Transport { kNone, kMapiHttp, kRpcHttp };
const char* transport_name(Transport t);

struct DiscoveredEndpoints {
  std::string email;             // the address that got the answer (after RedirectAddr)
  std::string autodiscover_url;  // where the answer came from
  std::string display_name;
  std::string legacy_dn;
  std::string deployment_id;
  Transport transport = Transport::kNone;  // MAPI over HTTP when offered, else RPC over HTTP
  // MAPI over HTTP (Protocol Type="mapiHttp")
  std::string mapi_mailbox_url;
  std::string mapi_addressbook_url;
  // RPC over HTTP: the proxy from EXPR (or EXCH), the mailbox server from EXCH
  std::string rpc_proxy_server;
  bool rpc_proxy_ssl = true;
  std::string rpc_auth_package;  // "Basic", "Ntlm", "Negotiate" ... as the server names it
  std::string rpc_server;        // the RPC endpoint behind the proxy (EXCH Server)
  std::string rpc_server_dn;
  std::string mdb_dn;
};

// The choice rule applied to one settings answer. prefer_internal picks InternalUrl over
// ExternalUrl when both are given.
DiscoveredEndpoints endpoints_from(const PoxResponse& response, bool prefer_internal = false);

struct SrvTarget {
  std::string host;
  uint16_t port = 0;
  uint16_t priority = 0;
  uint16_t weight = 0;
};
// SRV records of `name`, best first (lowest priority, then highest weight). dns_server
// "ADDR[:PORT]" queries that server instead of /etc/resolv.conf's. Empty when there is none.
std::vector<SrvTarget> lookup_srv(const std::string& name, const std::string& dns_server, long timeout_ms);

struct DiscoverOptions {
  http::HttpOptions http;
  http::Credentials credentials;
  std::string dns_server;     // for the SRV step; "" = the system resolver
  bool try_srv = true;
  bool try_json_v2 = true;     // Autodiscover v2 when every POX candidate failed
  bool prefer_internal = false;
  int max_redirects = 10;      // HTTP redirects, RedirectUrl and RedirectAddr together
  // Called with each step ("POST https://... -> 200"), for --verbose output; never sees a password.
  std::function<void(const std::string&)> trace;
};

// Runs the candidate sequence; throws exmapi::Error naming every candidate and why it failed when
// none answered, EXMAPI_E_AUTH as soon as a server refuses the credentials.
DiscoveredEndpoints discover(const std::string& email, const DiscoverOptions& options);

// One Autodiscover v2 query against https://HOST/autodiscover/autodiscover.json.
JsonV2Response query_json_v2(http::HttpClient& client, const std::string& base_url, const std::string& email,
                             const std::string& protocol);

}  // namespace exmapi::autodiscover
