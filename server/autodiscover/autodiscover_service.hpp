// Autodiscover for this server (MS-OXDSCLI): POST /autodiscover/autodiscover.xml (POX, authenticated)
// and GET /autodiscover/autodiscover.json?Email=ADDR&Protocol=NAME (v2 JSON), answering this
// server's MAPI over HTTP endpoints and its RPC over HTTP proxy for the store's mailboxes. The
// documents are built by src/autodiscover's codec, the one the client parses them with.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "server/http/http_server.hpp"
#include "server/store/directory.hpp"

namespace exmapi::server::autodiscover_server {

class AutodiscoverService {
 public:
  // `directory` must outlive the service; it is only read.
  explicit AutodiscoverService(const store::Directory& directory);
  // Routes /autodiscover/autodiscover.xml (authenticated) and /autodiscover/autodiscover.json,
  // also under the /Autodiscover/Autodiscover.* spelling Outlook uses.
  void attach(http::HttpServer& server);
  // "https://host:port" and the host name clients reach this server by.
  void set_public_base(std::string base_url, std::string host);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace exmapi::server::autodiscover_server
