// C ABI of Autodiscover (include/exmapi/autodiscover.h).
#include <exmapi/autodiscover.h>

#include <cstdlib>
#include <cstring>

#include "autodiscover/discover.hpp"
#include "capi/capi_guard.hpp"

struct exmapi_autodiscover_options {
  exmapi::autodiscover::DiscoverOptions discover;
  bool auth_set = false;
};

namespace {

// The result and the strings it points to, in one object owned by the caller.
struct ResultHolder : exmapi_autodiscover_result {
  exmapi::autodiscover::DiscoveredEndpoints endpoints;
};

bool parse_flag(const char* name, const char* value) {
  if (!std::strcmp(value, "1") || !std::strcmp(value, "true")) return true;
  if (!std::strcmp(value, "0") || !std::strcmp(value, "false")) return false;
  throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, std::string("option ") + name + " takes 0 or 1, not '" + value + "'");
}

}  // namespace

extern "C" {

EXMAPI_EXTERN(exmapi_status) exmapi_autodiscover_options_new(exmapi_autodiscover_options** out) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = new exmapi_autodiscover_options();
  });
}

EXMAPI_EXTERN(void) exmapi_autodiscover_options_free(exmapi_autodiscover_options* options) { delete options; }

EXMAPI_EXTERN(exmapi_status) exmapi_autodiscover_options_set(exmapi_autodiscover_options* options, const char* name, const char* value) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(options, "options");
    exmapi::capi::require(name, "name");
    exmapi::capi::require(value, "value");
    auto& o = options->discover;
    std::string n = name;
    if (n == "user") {
      o.credentials.user = value;
    } else if (n == "password") {
      o.credentials.password = value;
    } else if (n == "auth") {
      auto scheme = exmapi::http::parse_auth_scheme(value);
      if (!scheme) throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, std::string("unknown authentication '") + value + "' (basic, ntlm, negotiate, bearer, none)");
      o.credentials.scheme = *scheme;
      options->auth_set = true;
    } else if (n == "bearer_token") {
      o.credentials.bearer_token = value;
    } else if (n == "ca_file") {
      o.http.ca_file = value;
    } else if (n == "connect_to") {
      o.http.connect_to.emplace_back(value);
    } else if (n == "dns_server") {
      o.dns_server = value;
    } else if (n == "timeout_ms") {
      char* end = nullptr;
      long ms = std::strtol(value, &end, 10);
      if (!*value || *end || ms <= 0) throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, std::string("timeout_ms must be a positive number, not '") + value + "'");
      o.http.connect_timeout_ms = ms;
      o.http.total_timeout_ms = ms;
    } else if (n == "srv") {
      o.try_srv = parse_flag(name, value);
    } else if (n == "json_v2") {
      o.try_json_v2 = parse_flag(name, value);
    } else if (n == "prefer_internal") {
      o.prefer_internal = parse_flag(name, value);
    } else {
      throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, "unknown Autodiscover option '" + n + "'");
    }
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_autodiscover(exmapi_autodiscover_result** out, const char* email,
                                                 const exmapi_autodiscover_options* options) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = nullptr;
    exmapi::capi::require(email, "email");
    exmapi::autodiscover::DiscoverOptions o;
    if (options) o = options->discover;
    if (!options || !options->auth_set)
      o.credentials.scheme = o.credentials.password.empty() ? exmapi::http::AuthScheme::kNone : exmapi::http::AuthScheme::kBasic;
    if (o.credentials.user.empty()) o.credentials.user = email;
    auto holder = std::make_unique<ResultHolder>();
    holder->endpoints = exmapi::autodiscover::discover(email, o);
    const auto& ep = holder->endpoints;
    exmapi_autodiscover_result& r = *holder;
    r.transport = ep.transport == exmapi::autodiscover::Transport::kMapiHttp  ? EXMAPI_TRANSPORT_MAPI_HTTP
                  : ep.transport == exmapi::autodiscover::Transport::kRpcHttp ? EXMAPI_TRANSPORT_RPC_HTTP
                                                                              : EXMAPI_TRANSPORT_NONE;
    r.email = ep.email.c_str();
    r.autodiscover_url = ep.autodiscover_url.c_str();
    r.display_name = ep.display_name.c_str();
    r.legacy_dn = ep.legacy_dn.c_str();
    r.deployment_id = ep.deployment_id.c_str();
    r.mapi_mailbox_url = ep.mapi_mailbox_url.c_str();
    r.mapi_addressbook_url = ep.mapi_addressbook_url.c_str();
    r.rpc_proxy_server = ep.rpc_proxy_server.c_str();
    r.rpc_proxy_ssl = ep.rpc_proxy_ssl ? 1 : 0;
    r.rpc_auth_package = ep.rpc_auth_package.c_str();
    r.rpc_server = ep.rpc_server.c_str();
    r.rpc_server_dn = ep.rpc_server_dn.c_str();
    *out = holder.release();
  });
}

EXMAPI_EXTERN(void) exmapi_autodiscover_result_free(exmapi_autodiscover_result* result) {
  delete static_cast<ResultHolder*>(result);
}
}
