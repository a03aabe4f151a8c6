#ifndef EXMAPI_SESSION_H
#define EXMAPI_SESSION_H

/**
 * @file exmapi/session.h
 * @brief A MAPI session with an Exchange server (or exmapi-server): connect, log on to a mailbox,
 *        read its folder tree, a folder's items and an item's properties.
 *
 * exmapi_session_open() binds the address book (NSPI) to turn the account into its mailbox DN,
 * connects EMSMDB (EcDoConnectEx) and logs on to the mailbox (RopLogon), all over DCE/RPC
 * (ncacn_ip_tcp, or ncacn_http through an RPC over HTTP proxy) with the credentials given. A session is used by one thread at a time; different
 * sessions may run in parallel.
 *
 * The reading calls return JSON documents (UTF-8, NUL-terminated) in an exmapi_buf:
 * - folders: [{"id":"0x...","parent_id":"0x...","path":"Inbox/Projects","name":"Projects",
 *   "container_class":"IPF.Note","depth":2,"items":12,"unread":3,"subfolders":0}, ...]
 *   parents before children, paths relative to the top of the information store;
 * - items: [{"id":"0x...","subject":"...","sender":"...","message_class":"IPM.Note",
 *   "delivery_time":"2026-11-20T09:14:00Z","size":1234,"has_attachments":true}, ...];
 * - item: {"id":"0x...","folder":"Inbox","properties":[{"Tag":"PidTagSubject","Type":"PtypString",
 *   "Value":"..."}, ...]} with tags by canonical name (see exmapi/property_names.h) and typed values
 *   as exmapi_rop_decode() prints them.
 * Ids are the 64-bit folder and message ids of MS-OXCDATA 2.2.1.1/2.2.1.2 as hexadecimal strings.
 */

#include <exmapi/common.h>

/** How the RPC connection authenticates. */
#define EXMAPI_AUTH_NTLM 0u      /**< NTLMSSP */
#define EXMAPI_AUTH_NEGOTIATE 1u /**< SPNEGO: Kerberos when a ticket can be had, else NTLM */
#define EXMAPI_AUTH_KERBEROS 2u  /**< Kerberos only (needs realm and a reachable KDC) */
#define EXMAPI_AUTH_ANONYMOUS 3u /**< no credentials (test servers only) */

/** RPC protection; Outlook seals, and so does the default. */
#define EXMAPI_PROTECTION_SEAL 0u
#define EXMAPI_PROTECTION_SIGN 1u
#define EXMAPI_PROTECTION_CONNECT 2u

/** How the client authenticates to an RPC over HTTP proxy (exmapi_session_options.http_auth). */
#define EXMAPI_HTTP_AUTH_NTLM 0u
#define EXMAPI_HTTP_AUTH_BASIC 1u
#define EXMAPI_HTTP_AUTH_NEGOTIATE 2u
#define EXMAPI_HTTP_AUTH_BEARER 3u /**< OAuth2 access token (MAPI over HTTP only): bearer_token or token_command */

/** exmapi_session_options.http_flags: talk plain HTTP to the RPC proxy instead of HTTPS. */
#define EXMAPI_HTTP_NO_TLS 0x1u

/** The version of exmapi_session_options this header describes (1 lacks target_host and the RPC proxy
 *  fields, 2 the MAPI over HTTP ones). */
#define EXMAPI_SESSION_OPTIONS_VERSION 3u

/** Options of exmapi_session_open(); start from EXMAPI_SESSION_OPTIONS_INIT. */
typedef struct exmapi_session_options {
    /** EXMAPI_SESSION_OPTIONS_VERSION: lets later versions add fields. */
    uint32_t version;
    /** Host name or address of the server. Required. */
    const char *server;
    /** TCP port of EMSMDB and NSPI; 0 asks the endpoint mapper (port 135). */
    uint16_t port;
    /** Account name; required unless auth is EXMAPI_AUTH_ANONYMOUS. */
    const char *user;
    /** NetBIOS domain of the account (NTLM), or NULL. */
    const char *domain;
    /** Password; NULL with Kerberos uses the credential cache. */
    const char *password;
    /** Kerberos realm, or NULL. */
    const char *realm;
    /** EXMAPI_AUTH_*. */
    uint32_t auth;
    /** EXMAPI_PROTECTION_*. */
    uint32_t protection;
    /** Whose mailbox to open: an account or display name the address book resolves; NULL: user's. */
    const char *mailbox;
    /* Version 2: */
    /** The host name of the server's Kerberos SPNs (exchangeMDB/NAME) when server is an address;
     *  NULL: server itself. */
    const char *target_host;
    /** RPC over HTTP (ncacn_http): the RPC proxy as "host[:port]"; NULL: ncacn_ip_tcp. port then is the
     *  RPC server port behind the proxy, 0 for the well-known 6001 (EMSMDB) and 6004 (NSPI). */
    const char *rpc_proxy;
    /** EXMAPI_HTTP_AUTH_*: how the same credentials are presented to the proxy. */
    uint32_t http_auth;
    /** EXMAPI_HTTP_* flags. */
    uint32_t http_flags;
    /** PEM file of the CAs that vouch for the proxy's certificate, or NULL. */
    const char *ca_file;
    /* Version 3: MAPI over HTTP (MS-OXCMAPIHTTP). server and port are then unused. */
    /** The mailbox endpoint URL, "https://host/mapi/emsmdb/?MailboxId=..."; NULL: not MAPI over HTTP. */
    const char *mapi_url;
    /** The address book endpoint URL; NULL: mapi_url's server at /mapi/nspi/. */
    const char *address_book_url;
    /** An email address for Autodiscover (with user/password) when neither server nor mapi_url is
     *  given: MAPI over HTTP when the answer offers it, else RPC over HTTP. */
    const char *email;
    /** EXMAPI_HTTP_AUTH_BEARER: the access token, or NULL to run token_command. */
    const char *bearer_token;
    /** EXMAPI_HTTP_AUTH_BEARER: a program and its arguments, NULL-terminated, run without a shell;
     *  the first line it prints is the token. */
    const char *const *token_command;
} exmapi_session_options;

#define EXMAPI_SESSION_OPTIONS_INIT                                                                      \
    {EXMAPI_SESSION_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, NULL, EXMAPI_AUTH_NTLM, EXMAPI_PROTECTION_SEAL, NULL, \
     NULL, NULL, EXMAPI_HTTP_AUTH_NTLM, 0, NULL, NULL, NULL, NULL, NULL, NULL}

/** An open session; opaque. */
typedef struct exmapi_session exmapi_session;

EXMAPI_BEGIN_DECL

/**
 * Connects and logs on to the mailbox.
 * @param[out] out  receives the session; release with exmapi_session_close().
 * @return EXMAPI_OK; EXMAPI_E_TRANSPORT (server unreachable), EXMAPI_E_AUTH (credentials refused),
 *         EXMAPI_E_TIMEOUT, EXMAPI_E_PROTOCOL, a MAPI code the server returned (e.g. UnknownUser when
 *         the mailbox does not resolve), or EXMAPI_E_INVALID_ARGUMENT.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_session_open(exmapi_session **out, const exmapi_session_options *options);

/** Logs off, disconnects and frees the session; NULL is ignored. */
EXMAPI_EXTERN(void) exmapi_session_close(exmapi_session *session);

/** The folder tree below the top of the information store (see the file description). */
EXMAPI_EXTERN(exmapi_status) exmapi_session_folders(exmapi_buf *out_json, exmapi_session *session);

/**
 * The items of one folder, at most @p limit (0: all).
 * @param folder  a path from exmapi_session_folders() ("Inbox", "Inbox/Projects"), matched without
 *                regard to case, or a folder id ("0x...").
 * @return EXMAPI_OK; NotFound when no folder has that path.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_session_items(exmapi_buf *out_json, exmapi_session *session, const char *folder,
                                                  size_t limit);

/**
 * Every property of one item.
 * @param folder   as for exmapi_session_items().
 * @param item_id  the item's id as exmapi_session_items() gives it ("0x..."), or its 1-based
 *                 position in that list ("3").
 */
EXMAPI_EXTERN(exmapi_status) exmapi_session_item(exmapi_buf *out_json, exmapi_session *session, const char *folder,
                                                 const char *item_id);

/** Event kinds of exmapi_session_watch() (the NotificationTypes of MS-OXCNOTIF 2.2.1.2.1.1). */
#define EXMAPI_EVENT_NEW_MAIL 0x0002u
#define EXMAPI_EVENT_OBJECT_CREATED 0x0004u
#define EXMAPI_EVENT_OBJECT_DELETED 0x0008u
#define EXMAPI_EVENT_OBJECT_MODIFIED 0x0010u
#define EXMAPI_EVENT_OBJECT_MOVED 0x0020u
#define EXMAPI_EVENT_OBJECT_COPIED 0x0040u
/** Every kind above. */
#define EXMAPI_EVENT_ALL 0x007Eu

/**
 * Watches a folder (or the whole mailbox) for changes made by anyone, this session included: waits
 * up to @p timeout_ms for events and returns those that came, as a JSON array (empty when the time
 * passed without any):
 * [{"type":"NewMail","folder":"0x...","message":"0x...","subject":"...","message_class":"IPM.Note"},
 *  {"type":"ObjectModified","folder":"0x...","total":12,"unread":3,"tags":["PidTagContentCount",...]},
 *  {"type":"ObjectMoved","folder":"0x...","message":"0x...","old_folder":"0x...","old_message":"0x..."}, ...]
 * "message" is present for events on a message, "parent" for events on a folder, "subject" for
 * NewMail and ObjectCreated when the message can still be read.
 * The first call for a folder subscribes (RopRegisterNotification); the subscription lasts as long
 * as the session, so no event between two calls is lost.
 * @param folder       as for exmapi_session_items(), or NULL for the whole mailbox.
 * @param event_types  EXMAPI_EVENT_* bits; 0 means EXMAPI_EVENT_ALL.
 * @param timeout_ms   how long to wait when no event is waiting already.
 * @return EXMAPI_OK; NotFound for an unknown folder; EXMAPI_E_TRANSPORT and the like.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_session_watch(exmapi_buf *out_json, exmapi_session *session, const char *folder,
                                                  uint32_t event_types, uint32_t timeout_ms);

EXMAPI_END_DECL

#endif
