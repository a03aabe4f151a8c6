// A small HTTP client on libcurl: one HttpClient per session keeps its easy handle, so the TCP/TLS
// connection and the cookies (MAPI/HTTP session cookies) survive from one request to the next.
// Failures throw exmapi::Error with a message naming the cause; 401 is EXMAPI_E_AUTH.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exmapi::http {

enum class AuthScheme {
  kNone,
  kBasic,
  kNtlm,
  kNegotiate,  // SPNEGO: Kerberos through curl's GSS-API (credentials cache), NTLM fallback
  kBearer,     // OAuth2 access token
};

// Parses "basic", "ntlm", "negotiate", "bearer", "none" (case-insensitive); nullopt otherwise.
std::optional<AuthScheme> parse_auth_scheme(std::string_view name);
const char* auth_scheme_name(AuthScheme scheme);

struct Credentials {
  AuthScheme scheme = AuthScheme::kNone;
  std::string user;      // Basic/NTLM: "user", "DOMAIN\\user" or "user@domain"
  std::string password;  // never placed in a URL, a message or a log
  // Bearer: the token itself, or a program (argv, run without a shell) whose first stdout line is it.
  std::string bearer_token;
  std::vector<std::string> bearer_token_command;
};

struct HttpOptions {
  bool verify_tls = true;
  std::string ca_file;  // PEM bundle that replaces the system's trusted roots
  long connect_timeout_ms = 15000;
  long total_timeout_ms = 120000;  // 0: no limit (a streaming MAPI/HTTP NotificationWait)
  // curl CONNECT_TO entries "HOST:PORT:CONNECT-HOST:CONNECT-PORT": the request keeps its URL, Host
  // header and TLS name, but the connection goes elsewhere (tests, split-horizon setups).
  std::vector<std::string> connect_to;
  std::string user_agent = "exmapi";
};

struct Header {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";  // GET, POST, or another token
  std::string url;
  std::vector<Header> headers;
  std::string body;  // binary-safe
};

struct HttpResponse {
  long status = 0;
  std::vector<Header> headers;  // those of the final response (after auth round trips)
  std::string body;             // empty in streaming mode
  std::string url;              // the URL that answered
  // First header of that name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
};

// Runs argv (no shell); returns the first line of its stdout. Throws EXMAPI_E_AUTH naming the
// command when it cannot start, exits non-zero or prints nothing.
std::string run_token_command(const std::vector<std::string>& argv);

class HttpClient {
 public:
  using ChunkSink = std::function<void(std::string_view chunk)>;

  HttpClient(HttpOptions options, Credentials credentials);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request; any HTTP status other than 401 is returned to the caller.
  HttpResponse send(const HttpRequest& request);
  // Same, but hands body bytes to `sink` as they arrive instead of collecting them. An exception
  // thrown by the sink aborts the transfer and propagates.
  HttpResponse send_streaming(const HttpRequest& request, const ChunkSink& sink);

  // The cookie jar in Netscape format, one cookie a line.
  std::vector<std::string> cookies() const;
  // TCP connections opened so far (1 after many requests means keep-alive worked).
  long connections_opened() const { return connections_opened_; }

 private:
  HttpResponse perform(const HttpRequest& request, const ChunkSink* sink);
  void apply_credentials();

  struct Impl;
  std::unique_ptr<Impl> impl_;
  HttpOptions options_;
  Credentials credentials_;
  long connections_opened_ = 0;
};

}  // namespace exmapi::http
