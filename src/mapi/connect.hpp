// Opening a session over a real transport: address book lookup of the mailbox, EMSMDB connect, logon.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <vector>

#include "http/http_client.hpp"
#include "mapi/session.hpp"

namespace exmapi::mapi {

enum class Auth : uint8_t { Ntlm, Negotiate, Kerberos, Anonymous };
enum class Protection : uint8_t { Seal, Sign, Connect };
// How the client proves itself to an RPC over HTTP proxy (the RPC binds inside authenticate apart).
enum class ProxyAuth : uint8_t { Ntlm, Basic, Negotiate };

// ncacn_http (MS-RPCH): EMSMDB and NSPI through an RPC over HTTP proxy instead of straight TCP.
struct RpcProxySpec {
  std::string proxy;    // host[:port]; port defaults to 443 with TLS, 80 without
  bool tls = true;
  std::string ca_file;  // PEM CAs that vouch for the proxy's certificate
  ProxyAuth auth = ProxyAuth::Ntlm;
};

// MAPI over HTTP (MS-OXCMAPIHTTP): the mailbox and address book endpoints as URLs, or an email
// address that Autodiscover turns into them.
struct MapiHttpSpec {
  std::string mailbox_url;       // "https://host/mapi/emsmdb/?MailboxId=..."
  std::string address_book_url;  // "https://host/mapi/nspi/?MailboxId=..."; empty: mailbox_url's host + /mapi/nspi/
  http::AuthScheme auth = http::AuthScheme::kNegotiate;
  std::string ca_file;           // PEM CAs that replace the system's roots
  bool verify_tls = true;
  std::string bearer_token;                      // auth = kBearer: the token ...
  std::vector<std::string> bearer_token_command;  // ... or the program (argv) printing it
  long connect_timeout_ms = 15000;
  long request_timeout_ms = 120000;  // one request, PENDING keep-alives included
  // curl CONNECT_TO entries "HOST:PORT:CONNECT-HOST:CONNECT-PORT" (split-horizon setups, tests):
  // URLs, Host headers and TLS names stay, the connections go elsewhere.
  std::vector<std::string> connect_to;
};

struct ConnectSpec {
  std::string server;
  // ncacn_ip_tcp: 0 asks the endpoint mapper. Through a proxy: the RPC server port behind it;
  // 0 takes the well-known ones (6001 EMSMDB, 6004 NSPI).
  uint16_t port = 0;
  std::optional<RpcProxySpec> rpc_proxy;  // set: RPC over HTTP
  std::optional<MapiHttpSpec> mapi_http;   // set: MAPI over HTTP (server/port unused)
  // Set (and neither mapi_http's URLs nor server): Autodiscover from this address picks the
  // transport, MAPI over HTTP when offered, else RPC over HTTP (connect()).
  std::string email;
  // With email alone: how to reach what Autodiscover names (auth scheme, CA file, bearer token);
  // the URLs in it are ignored.
  std::optional<MapiHttpSpec> mapi_http_defaults;
  std::string user, domain, password, realm;
  // The host name in the server's SPNs (exchangeMDB/NAME) when `server` is an address: Kerberos
  // needs it to connect by IP. Empty: `server` itself.
  std::string target_hostname;
  Auth auth = Auth::Ntlm;
  Protection protection = Protection::Seal;
  std::string mailbox;  // a name the address book resolves; empty: the user's own
  SessionOptions session_options;
};

// A logged-on session and everything that keeps it alive (RPC pipes, context handles).
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Session& session() = 0;
  // The mailbox's legacy DN and display name as the address book gave them.
  virtual const std::string& mailbox_dn() const = 0;
  virtual const std::string& mailbox_display_name() const = 0;
  // Where EMSMDB is reached: over RPC the pipe's binding as Samba reports it (with no port given,
  // the one the endpoint mapper named: "ncacn_ip_tcp:127.0.0.1[6001,seal]"); over MAPI/HTTP the
  // mailbox URL.
  virtual std::string emsmdb_endpoint() const = 0;
};

// EMSMDB and NSPI over ncacn_ip_tcp, or ncacn_http with spec.rpc_proxy (src/rpc). Throws Error: EXMAPI_E_TRANSPORT, EXMAPI_E_AUTH, a MAPI code...
std::unique_ptr<Connection> connect_rpc(const ConnectSpec& spec);

// MAPI over HTTP with spec.mapi_http: address book Bind + ResolveNames at the nspi endpoint, Connect
// at the emsmdb endpoint, RopLogon through Execute. The session renews a lost session context
// (expired, or a restarted server) once per operation. Throws as connect_rpc does.
std::unique_ptr<Connection> connect_mapihttp(const ConnectSpec& spec);

// Picks the transport from the spec: MAPI/HTTP when spec.mapi_http is set, Autodiscover when only
// spec.email is, RPC otherwise.
std::unique_ptr<Connection> connect(const ConnectSpec& spec);

}  // namespace exmapi::mapi
