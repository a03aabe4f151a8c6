#ifndef EXMAPI_AUTODISCOVER_H
#define EXMAPI_AUTODISCOVER_H

/**
 * @file exmapi/autodiscover.h
 * @brief Autodiscover (MS-OXDSCLI): from an email address and a password to the endpoints.
 *
 * The candidates of MS-OXDSCLI 3.1.5 are tried in order (https://DOMAIN/autodiscover/autodiscover.xml,
 * https://autodiscover.DOMAIN/..., the HTTP GET redirect probe, the _autodiscover._tcp.DOMAIN SRV
 * record), then Autodiscover v2 JSON; HTTP redirects, RedirectAddr and RedirectUrl are followed up to
 * a limit. MAPI over HTTP is chosen when offered, else RPC over HTTP.
 */

#include "common.h"

EXMAPI_BEGIN_DECL

/** Options, set by name; opaque. */
typedef struct exmapi_autodiscover_options exmapi_autodiscover_options;

EXMAPI_EXTERN(exmapi_status) exmapi_autodiscover_options_new(exmapi_autodiscover_options **out);
EXMAPI_EXTERN(void) exmapi_autodiscover_options_free(exmapi_autodiscover_options *options);

/**
 * Sets one option. Names: "user" (defaults to the email address), "password", "auth" ("basic",
 * "ntlm", "negotiate", "bearer", "none"; default "basic" with a password, else "none"),
 * "bearer_token", "ca_file", "connect_to" (HOST:PORT:ADDR:PORT, may be repeated), "dns_server"
 * (IPV4[:PORT] for the SRV query), "timeout_ms", "srv" and "json_v2" ("0"/"1"), "prefer_internal"
 * ("0"/"1"). An unknown name gives EXMAPI_E_INVALID_ARGUMENT.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_autodiscover_options_set(exmapi_autodiscover_options *options, const char *name,
                                                             const char *value);

#define EXMAPI_TRANSPORT_NONE 0
#define EXMAPI_TRANSPORT_MAPI_HTTP 1
#define EXMAPI_TRANSPORT_RPC_HTTP 2

/** What Autodiscover found. Strings are UTF-8, never NULL (empty when absent). */
typedef struct exmapi_autodiscover_result {
    int transport; /**< EXMAPI_TRANSPORT_*: the one to use */
    const char *email; /**< the address that got the answer (after RedirectAddr) */
    const char *autodiscover_url;
    const char *display_name;
    const char *legacy_dn;
    const char *deployment_id;
    const char *mapi_mailbox_url;
    const char *mapi_addressbook_url;
    const char *rpc_proxy_server;
    int rpc_proxy_ssl;
    const char *rpc_auth_package;
    const char *rpc_server;
    const char *rpc_server_dn;
} exmapi_autodiscover_result;

/**
 * Runs Autodiscover for @p email. @p options may be NULL (no credentials, system trust store).
 * On success *out is the caller's, released with exmapi_autodiscover_result_free().
 */
EXMAPI_EXTERN(exmapi_status) exmapi_autodiscover(exmapi_autodiscover_result **out, const char *email,
                                                 const exmapi_autodiscover_options *options);
EXMAPI_EXTERN(void) exmapi_autodiscover_result_free(exmapi_autodiscover_result *result);

EXMAPI_END_DECL

#endif
