// The server side of authenticated binds (SAMBA_NOTES.md section B): a gensec server whose
// auth4_context checks NTLM responses against the store's passwords and turns an authenticated
// NTLM or Kerberos client into a session naming its account. Internal to rpc_host.cpp.
#pragma once

#include <string>

#include "server/rpc_host.hpp"
#include "server/samba_headers.hpp"

namespace exmapi::server {

class Authenticator {
 public:
  Authenticator(loadparm_context* lp, tevent_context* ev, AccountLookup lookup, std::string keytab,
                std::string realm);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // dcesrv_context_callbacks.auth.gensec_prepare: a fresh gensec server for one bind.
  static NTSTATUS prepare(TALLOC_CTX* mem, dcesrv_call_state* call, gensec_security** out, void* self);

  // A fresh gensec server checked against the store's accounts (also for HTTP authentication,
  // server/http/http_auth.cpp). Call it on the host's loop thread only.
  NTSTATUS start(TALLOC_CTX* mem, gensec_security** out);

  // For the auth4_context callbacks.
  const AccountLookup& lookup() const { return lookup_; }
  const std::string& realm() const { return realm_; }
  loadparm_context* lp() const { return lp_; }

 private:
  loadparm_context* lp_;
  tevent_context* ev_;
  AccountLookup lookup_;
  std::string keytab_, realm_;
};

}  // namespace exmapi::server
