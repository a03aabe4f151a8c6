#include "server/rpc_auth.hpp"

#include <sys/time.h>

#include <cstring>
#include <iostream>

#include "server/samba_auth_abi.hpp"

namespace exmapi::server {

namespace {

// What a successful NTLM check hands on to generate_session_info (gensec's server_returned_info).
struct AuthenticatedUser {
  char* account;
  uint32_t rid;
};

Authenticator& authenticator_of(auth4_context* ctx) { return *static_cast<Authenticator*>(ctx->private_data); }

dom_sid make_sid(std::initializer_list<uint32_t> sub_auths) {
  dom_sid sid{};
  sid.sid_rev_num = 1;
  sid.id_auth[5] = 5;  // SECURITY_NT_AUTHORITY
  for (uint32_t a : sub_auths) sid.sub_auths[sid.num_auths++] = a;
  return sid;
}

// The session an authenticated account runs as. exmapi-server is no domain member: its accounts
// live in a domain of its own whose SID only needs to be stable (S-1-5-21-0-0-0) and tell
// accounts apart by RID. S-1-5-11 (Authenticated Users) is what makes the core, and NTLMSSP's
// guest detection, treat the session as a real user.
auth_session_info* session_for(TALLOC_CTX* mem, loadparm_context* lp, const char* account, uint32_t rid,
                               const char* principal) {
  auto* s = talloc_zero(mem, auth_session_info);
  if (s == nullptr) return nullptr;
  s->security_token = talloc_zero(s, security_token);
  s->info = talloc_zero(s, auth_user_info);
  if (!s->security_token || !s->info) return talloc_free(s), nullptr;
  auto* sids = talloc_array(s->security_token, dom_sid, 2);
  if (sids == nullptr) return talloc_free(s), nullptr;
  sids[0] = make_sid({21, 0, 0, 0, rid});
  sids[1] = make_sid({11});
  s->security_token->sids = sids;
  s->security_token->num_sids = 2;
  s->info->account_name = talloc_strdup(s->info, account);
  // A standalone server's accounts are local ones: their domain is the machine.
  s->info->domain_name = talloc_strdup(s->info, lpcfg_netbios_name(lp));
  if (principal != nullptr) s->info->user_principal_name = talloc_strdup(s->info, principal);
  s->info->authenticated = 1;
  if (!s->info->account_name || !s->info->domain_name) return talloc_free(s), nullptr;
  return s;
}

NTSTATUS get_ntlm_challenge(auth4_context* ctx, uint8_t challenge[8]) {
  generate_random_buffer(challenge, 8);
  data_blob_free(&ctx->challenge.data);
  ctx->challenge.data = data_blob_talloc(ctx, challenge, 8);
  ctx->challenge.set_by = "exmapi-server";
  return ctx->challenge.data.data ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

struct CheckState {
  AuthenticatedUser* user;
  DATA_BLOB user_session_key;
  DATA_BLOB lm_session_key;
};

// The NTLMv2 response checked against the NT hash of the stored password; LM and NTLMv1 are
// refused (NTLM_AUTH_NTLMV2_ONLY), as a current Windows server does.
NTSTATUS check_ntlm(auth4_context* ctx, const auth_usersupplied_info* ui, CheckState* st) {
  const char* name = ui->client.account_name ? ui->client.account_name : "";
  if (ui->password_state != AUTH_PASSWORD_RESPONSE) return NT_STATUS_LOGON_FAILURE;
  if (ctx->challenge.data.length != 8) return NT_STATUS_INTERNAL_ERROR;
  Authenticator& self = authenticator_of(ctx);
  std::optional<StoredAccount> account = self.lookup()(name);
  if (!account) {
    std::cerr << "exmapi-server: NTLM logon of \"" << name << "\" refused: no such account\n";
    return NT_STATUS_NO_SUCH_USER;
  }
  samr_Password nt{};
  if (!E_md4hash(account->password.c_str(), nt.hash)) return NT_STATUS_INTERNAL_ERROR;
  NTSTATUS status = ntlm_password_check(st, false, NTLM_AUTH_NTLMV2_ONLY, ui->logon_parameters, &ctx->challenge.data,
                                        &ui->password.response.lanman, &ui->password.response.nt,
                                        account->account.c_str(), name,
                                        ui->client.domain_name ? ui->client.domain_name : "", nullptr, &nt,
                                        &st->user_session_key, &st->lm_session_key);
  std::memset(nt.hash, 0, sizeof nt.hash);
  if (!NT_STATUS_IS_OK(status)) {
    std::cerr << "exmapi-server: NTLM logon of \"" << name << "\" refused: " << nt_errstr(status) << "\n";
    return status;
  }
  st->user = talloc_zero(st, AuthenticatedUser);
  if (st->user == nullptr) return NT_STATUS_NO_MEMORY;
  st->user->account = talloc_strdup(st->user, account->account.c_str());
  st->user->rid = account->rid;
  return st->user->account ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

tevent_req* check_ntlm_password_send(TALLOC_CTX* mem, tevent_context* ev, auth4_context* ctx,
                                     const auth_usersupplied_info* ui) {
  CheckState* st = nullptr;
  tevent_req* req = _tevent_req_create(mem, &st, sizeof(CheckState), "CheckState", __location__);
  if (req == nullptr) return nullptr;
  NTSTATUS status = check_ntlm(ctx, ui, st);
  if (NT_STATUS_IS_OK(status))
    tevent_req_done(req);
  else
    tevent_req_nterror(req, status);
  return tevent_req_post(req, ev);
}

NTSTATUS check_ntlm_password_recv(tevent_req* req, TALLOC_CTX* mem, uint8_t* authoritative, void** server_info,
                                  DATA_BLOB* user_session_key, DATA_BLOB* lm_session_key) {
  *authoritative = 1;
  NTSTATUS status;
  if (tevent_req_is_nterror(req, &status)) {
    tevent_req_received(req);
    return status;
  }
  auto* st = static_cast<CheckState*>(_tevent_req_data(req));
  *server_info = talloc_steal(mem, st->user);
  *user_session_key = st->user_session_key;
  talloc_steal(mem, user_session_key->data);
  *lm_session_key = st->lm_session_key;
  talloc_steal(mem, lm_session_key->data);
  tevent_req_received(req);
  return NT_STATUS_OK;
}

NTSTATUS generate_session_info(auth4_context* ctx, TALLOC_CTX* mem, void* server_info, const char*, uint32_t,
                               auth_session_info** out) {
  auto* user = static_cast<AuthenticatedUser*>(server_info);
  if (user == nullptr) return NT_STATUS_INTERNAL_ERROR;
  *out = session_for(mem, ctx->lp_ctx, user->account, user->rid, nullptr);
  return *out ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

// Kerberos: the KDC vouched for the principal; it names a store account when its realm is ours
// and its name (without instance) is an account's logon name. An MIT KDC issues no PAC, so the
// store is the only source of the account, as Samba's standalone mode does.
NTSTATUS generate_session_info_pac(auth4_context* ctx, TALLOC_CTX* mem, smb_krb5_context*, DATA_BLOB*,
                                   const char* principal, const tsocket_address*, uint32_t,
                                   auth_session_info** out) {
  Authenticator& self = authenticator_of(ctx);
  std::string p = principal ? principal : "";
  auto at = p.rfind('@');
  std::string name = p.substr(0, at);
  std::string realm = at == std::string::npos ? std::string() : p.substr(at + 1);
  if (strcasecmp(realm.c_str(), self.realm().c_str()) != 0 || name.find('/') != std::string::npos) {
    std::cerr << "exmapi-server: Kerberos logon of " << p << " refused: not a user of realm " << self.realm() << "\n";
    return NT_STATUS_NO_SUCH_USER;
  }
  std::optional<StoredAccount> account = self.lookup()(name);
  if (!account) {
    std::cerr << "exmapi-server: Kerberos logon of " << p << " refused: no such account\n";
    return NT_STATUS_NO_SUCH_USER;
  }
  *out = session_for(mem, ctx->lp_ctx, account->account.c_str(), account->rid, principal);
  return *out ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

}  // namespace

Authenticator::Authenticator(loadparm_context* lp, tevent_context* ev, AccountLookup lookup, std::string keytab,
                             std::string realm)
    : lp_(lp), ev_(ev), lookup_(std::move(lookup)), keytab_(std::move(keytab)), realm_(std::move(realm)) {
  NTSTATUS st = gensec_init();
  if (!NT_STATUS_IS_OK(st)) throw std::runtime_error(std::string("gensec_init: ") + nt_errstr(st));
}

NTSTATUS Authenticator::prepare(TALLOC_CTX* mem, dcesrv_call_state*, gensec_security** out, void* self) {
  return static_cast<Authenticator*>(self)->start(mem, out);
}

NTSTATUS Authenticator::start(TALLOC_CTX* mem, gensec_security** out) {
  gensec_settings* settings = lpcfg_gensec_settings(mem, lp_);
  auto* ctx = talloc_zero(mem, auth4_context);
  if (settings == nullptr || ctx == nullptr) return NT_STATUS_NO_MEMORY;
  ctx->event_ctx = ev_;
  ctx->lp_ctx = lp_;
  gettimeofday(&ctx->start_time, nullptr);
  ctx->private_data = this;
  ctx->get_ntlm_challenge = get_ntlm_challenge;
  ctx->check_ntlm_password_send = check_ntlm_password_send;
  ctx->check_ntlm_password_recv = check_ntlm_password_recv;
  ctx->generate_session_info = generate_session_info;
  ctx->generate_session_info_pac = generate_session_info_pac;
  gensec_security* g = nullptr;
  NTSTATUS st = gensec_server_start(mem, settings, ctx, &g);
  if (!NT_STATUS_IS_OK(st)) return st;
  if (!keytab_.empty()) {
    // The acceptor's keys: the service principal's entries of the keytab the KDC admin exported.
    cli_credentials* creds = cli_credentials_init(g);
    if (creds == nullptr || !cli_credentials_set_conf(creds, lp_)) return NT_STATUS_NO_MEMORY;
    if (cli_credentials_set_keytab_name(creds, lp_, keytab_.c_str(), CRED_SPECIFIED) != 0) {
      std::cerr << "exmapi-server: cannot use keytab " << keytab_ << "\n";
      return NT_STATUS_INVALID_PARAMETER;
    }
    st = gensec_set_credentials(g, creds);
    if (!NT_STATUS_IS_OK(st)) return st;
  }
  *out = g;
  return NT_STATUS_OK;
}

}  // namespace exmapi::server
