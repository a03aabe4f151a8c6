// Opening a session over a real transport: address book lookup of the mailbox, EMSMDB connect, logon.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "mapi/session.hpp"

namespace exmapi::mapi {

enum class Auth : uint8_t { Ntlm, Negotiate, Kerberos, Anonymous };
enum class Protection : uint8_t { Seal, Sign, Connect };

struct ConnectSpec {
  std::string server;
  uint16_t port = 0;  // 0: ask the endpoint mapper
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
  // The EMSMDB pipe's binding as Samba reports it: with no port given, the one the endpoint mapper
  // named ("ncacn_ip_tcp:127.0.0.1[6001,seal]").
  virtual std::string emsmdb_binding() const = 0;
};

// EMSMDB and NSPI over ncacn_ip_tcp (src/rpc). Throws Error: EXMAPI_E_TRANSPORT, EXMAPI_E_AUTH, a MAPI code...
std::unique_ptr<Connection> connect_rpc(const ConnectSpec& spec);

}  // namespace exmapi::mapi
