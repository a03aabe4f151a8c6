// The reference server's HTTP(S) front on libmicrohttpd, for everything Exchange carries over HTTP:
// RPC over HTTP (server/rpch), MAPI over HTTP and Autodiscover. Routes are chosen by path prefix.
// Each connection has a thread of its own, so an exchange may block while it reads the request body
// or produces a streamed response (a long-lived RPC over HTTP channel does both).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.hpp"

namespace exmapi::server::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string path;   // without the query
  std::string query;  // after '?', undecoded; empty when none
  HeaderList headers;
  HeaderList cookies;
  std::string user;          // the account HTTP authentication proved; empty on an open route
  bool tls = false;
  uint64_t connection = 0;   // the TCP connection the request came on (several requests may share one)
  std::string peer;          // the client's address:port

  // The value of a header (case-insensitive name); empty when absent.
  std::string header(std::string_view name) const;
  std::optional<std::string> cookie(std::string_view name) const;
};

// A streamed response body: writes at most `max` bytes to `out` and returns how many; 0 ends the
// body. It runs on the connection's thread and may block until it has something to send. An
// exception aborts the connection.
using BodyWriter = std::function<size_t(uint8_t* out, size_t max)>;

struct Response {
  unsigned status = 200;
  HeaderList headers;
  Bytes body;                              // a complete body, unless `stream` is set
  BodyWriter stream;                       // a streamed body
  std::optional<uint64_t> stream_length;   // its Content-Length, when known

  static Response text(unsigned status, std::string message);
};

// One request in progress, made by its route once the headers are in (and authenticated).
class Exchange {
 public:
  virtual ~Exchange() = default;
  // Request body bytes as they arrive; may block. A Response ends the request early (the server
  // then closes the connection).
  virtual std::optional<Response> on_body(ByteView chunk) = 0;
  // The body is complete: the answer.
  virtual Response on_complete() = 0;
  // The request is over: answered, or the connection closed or failed first.
  virtual void on_closed() {}
};

using Route = std::function<std::unique_ptr<Exchange>(const Request&)>;

// One step of a connection-based challenge/response (NTLM, Negotiate): RFC 4559 tokens in and out.
class SecurityContext {
 public:
  enum class Outcome { more, done, failed };
  struct Step {
    Outcome outcome = Outcome::failed;
    Bytes reply;          // the token for WWW-Authenticate (may be empty when done)
    std::string account;  // when done
    std::string error;    // when failed: why, for the log
  };
  virtual ~SecurityContext() = default;
  virtual Step step(ByteView token) = 0;
};

// Checks HTTP credentials against the server's accounts.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Basic: the account for this name and password, or nullopt.
  virtual std::optional<std::string> check_password(const std::string& user, const std::string& password) = 0;
  // A fresh context for "NTLM" or "Negotiate"; nullptr when the scheme is not offered.
  virtual std::unique_ptr<SecurityContext> start(std::string_view scheme) = 0;
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;        // 0: a free one
  std::string cert_file;    // PEM certificate (chain); with key_file it makes this an HTTPS server
  std::string key_file;     // PEM private key
  Authenticator* authenticator = nullptr;  // needed by routes that require authentication
};

class HttpServer {
 public:
  explicit HttpServer(ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Requests whose path starts with `prefix` go to `route` (the longest prefix wins). With
  // `authenticate`, the route sees only requests that passed Basic, NTLM or Negotiate.
  void add_route(std::string prefix, Route route, bool authenticate);
  // Starts listening and serving; returns the port.
  uint16_t start();
  void stop();
  bool tls() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// RFC 4648 base64, as HTTP authentication headers carry it. decode returns nullopt on any
// character or padding outside the alphabet.
std::string base64_encode(ByteView data);
std::optional<Bytes> base64_decode(std::string_view text);

}  // namespace exmapi::server::http
