// MAPI over HTTP (MS-OXCMAPIHTTP), server role: the mailbox endpoint /mapi/emsmdb/ and the address
// book endpoint /mapi/nspi/ on the HTTP(S) front (server/http), whose authenticated routes have
// already run Basic, NTLM or Negotiate. Bodies are the src/mapihttp codec's; each request type is
// mapped onto the same typed methods the RPC transport answers through (EmsmdbEndpoint,
// NspiService), so sessions, ROPs and the address book behave the same on both transports.
//
// A Session Context is created by Connect or Bind and named by a session context cookie; every
// later request must carry that cookie and come from the account that created it. A session unused
// for longer than the session timeout is destroyed (X-ResponseCode 10 afterwards).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/http/http_server.hpp"

namespace exmapi::server {
class EmsmdbEndpoint;
namespace nspi {
class NspiService;
}

namespace mapihttp_server {

struct Options {
  // Inactivity after which a Session Context is destroyed.
  std::chrono::milliseconds session_timeout{std::chrono::minutes(15)};
  // PENDING keep-alive period of long requests (NotificationWait), announced as X-PendingPeriod.
  std::chrono::milliseconds pending_period{30000};
  // The largest request body accepted (X-ResponseCode 9 beyond).
  size_t max_request_body = 16 * 1024 * 1024;
};

// Runs `fn` where NspiService may run (it is single-threaded: the RPC host's loop).
using NspiExecutor = std::function<void(const std::function<void()>& fn)>;

class MapiHttpService {
 public:
  MapiHttpService(EmsmdbEndpoint& emsmdb, nspi::NspiService& nspi, NspiExecutor nspi_executor, Options options);
  ~MapiHttpService();
  MapiHttpService(const MapiHttpService&) = delete;
  MapiHttpService& operator=(const MapiHttpService&) = delete;

  // Adds the authenticated routes /mapi/emsmdb/ and /mapi/nspi/.
  void attach(http::HttpServer& server);
  // "https://host:port" (or http) as clients reach this server: GetMailboxUrl and GetAddressBookUrl
  // answer it with the endpoint paths.
  void set_public_base(std::string base_url);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mapihttp_server
}  // namespace exmapi::server
