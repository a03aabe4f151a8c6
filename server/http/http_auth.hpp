// HTTP authentication against the store's accounts: Basic through the RpcHost's AccountLookup, NTLM
// and Negotiate (RFC 4559) through the same gensec server that authenticates RPC binds
// (server/rpc_auth.hpp). Samba's libraries run on the host's loop thread, so every step is handed
// there (RpcHost::run_on_loop).
#pragma once

#include "server/http/http_server.hpp"
#include "server/rpc_host.hpp"

namespace exmapi::server::http {

class HostAuthenticator final : public Authenticator {
 public:
  // `host` must have accept_authentication() and outlive this object.
  explicit HostAuthenticator(RpcHost& host);
  std::optional<std::string> check_password(const std::string& user, const std::string& password) override;
  std::unique_ptr<SecurityContext> start(std::string_view scheme) override;

 private:
  RpcHost& host_;
};

}  // namespace exmapi::server::http
