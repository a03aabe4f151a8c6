// Samba 4.17's private authentication ABI as exmapi-server uses it (SAMBA_NOTES.md section B, "NTLM /
// Kerberos acceptance"). None of these headers is installed: the server hands gensec an auth4_context
// whose callbacks check NTLM responses against the store, so its layout and that of the user info
// gensec passes in must match auth/common_auth.h of samba-4.17.12 field for field. These are
// declarations of what the shared libraries expect, not Samba code; re-check them on any Samba
// update (the private symbols are versioned SAMBA_4.17.12_DEBIAN_SAMBA4, so a changed library fails
// at load time rather than misbehaving).
#pragma once

#include "server/samba_headers.hpp"

extern "C" {
#include <credentials.h>
#include <gen_ndr/netlogon.h>
#include <util/genrand.h>
#include <util/tevent_ntstatus.h>

struct gensec_security;
struct gensec_settings;
struct auth_method_context;
struct imessaging_context;
struct ldb_context;
struct smb_krb5_context;

// auth/common_auth.h: enum auth_password_state.
enum auth_password_state { AUTH_PASSWORD_PLAIN = 1, AUTH_PASSWORD_HASH = 2, AUTH_PASSWORD_RESPONSE = 3 };

// auth/common_auth.h: what NTLMSSP hands check_ntlm_password_send. We read only client.* and
// password.response, but the layout before them must match.
struct auth_usersupplied_info {
  const char* workstation_name;
  const struct tsocket_address* remote_host;
  const struct tsocket_address* local_host;
  uint32_t logon_parameters;
  bool cracknames_called;
  bool was_mapped;
  uint64_t logon_id;
  struct {
    const char* account_name;
    const char* domain_name;
  } client, mapped, orig_client;
  enum auth_password_state password_state;
  struct {
    struct {
      DATA_BLOB lanman;
      DATA_BLOB nt;
    } response;
    struct {
      struct samr_Password* lanman;
      struct samr_Password* nt;
    } hash;
    char* plaintext;
  } password;
  uint32_t flags;
  struct {
    uint32_t negotiate_flags;
    enum netr_SchannelType secure_channel_type;
    const char* computer_name;
    const char* account_name;
    struct dom_sid* sid;
  } netlogon_trust_account;
  const char* service_description;
  const char* auth_description;
  const char* password_type;
};

// auth/common_auth.h: the authentication context gensec's server mechanisms call back into.
struct auth4_context {
  struct {
    const char* set_by;
    DATA_BLOB data;
  } challenge;
  struct auth_method_context* methods;
  struct tevent_context* event_ctx;
  struct imessaging_context* msg_ctx;
  struct loadparm_context* lp_ctx;
  struct ldb_context* sam_ctx;
  struct timeval start_time;
  void* private_data;
  struct smb_krb5_context* smb_krb5_context;
  struct tevent_req* (*check_ntlm_password_send)(TALLOC_CTX* mem_ctx, struct tevent_context* ev,
                                                 struct auth4_context* auth_ctx,
                                                 const struct auth_usersupplied_info* user_info);
  NTSTATUS (*check_ntlm_password_recv)(struct tevent_req* req, TALLOC_CTX* mem_ctx, uint8_t* pauthoritative,
                                       void** server_returned_info, DATA_BLOB* nt_session_key,
                                       DATA_BLOB* lm_session_key);
  NTSTATUS (*get_ntlm_challenge)(struct auth4_context* auth_ctx, uint8_t chal[8]);
  NTSTATUS (*set_ntlm_challenge)(struct auth4_context* auth_ctx, const uint8_t chal[8], const char* set_by);
  NTSTATUS (*generate_session_info)(struct auth4_context* auth_context, TALLOC_CTX* mem_ctx,
                                    void* server_returned_info, const char* original_user_name,
                                    uint32_t session_info_flags, struct auth_session_info** session_info);
  NTSTATUS (*generate_session_info_pac)(struct auth4_context* auth_ctx, TALLOC_CTX* mem_ctx,
                                        struct smb_krb5_context* smb_krb5_context, DATA_BLOB* pac_blob,
                                        const char* principal_name, const struct tsocket_address* remote_address,
                                        uint32_t session_info_flags, struct auth_session_info** session_info);
};

// auth/gensec/gensec.h (libgensec-samba4).
NTSTATUS gensec_init(void);
NTSTATUS gensec_server_start(TALLOC_CTX* mem_ctx, struct gensec_settings* settings,
                             struct auth4_context* auth_context, struct gensec_security** gensec_security);
NTSTATUS gensec_set_credentials(struct gensec_security* gensec_security, struct cli_credentials* credentials);
NTSTATUS gensec_start_mech_by_name(struct gensec_security* gensec_security, const char* name);
NTSTATUS gensec_update(struct gensec_security* gensec_security, TALLOC_CTX* out_mem_ctx, const DATA_BLOB in,
                       DATA_BLOB* out);
NTSTATUS gensec_session_info(struct gensec_security* gensec_security, TALLOC_CTX* mem_ctx,
                             struct auth_session_info** session_info);

// libcli/auth/ntlm_check.h and libcli/auth/proto.h (libcliauth-samba4).
enum ntlm_auth_level { NTLM_AUTH_DISABLED, NTLM_AUTH_ON, NTLM_AUTH_NTLMV2_ONLY, NTLM_AUTH_MSCHAPv2_NTLMV2_ONLY };
NTSTATUS ntlm_password_check(TALLOC_CTX* mem_ctx, bool lanman_auth, enum ntlm_auth_level ntlm_auth,
                             uint32_t logon_parameters, const DATA_BLOB* challenge, const DATA_BLOB* lm_response,
                             const DATA_BLOB* nt_response, const char* username, const char* client_username,
                             const char* client_domain, const struct samr_Password* stored_lanman,
                             const struct samr_Password* stored_nt, DATA_BLOB* user_sess_key,
                             DATA_BLOB* lm_sess_key);
bool E_md4hash(const char* passwd, uint8_t p16[16]);
}
