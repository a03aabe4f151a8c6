#include "server/http/http_server.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace exmapi::server::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read the TLS ") + what + " " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What a TCP connection remembers across its requests: who it authenticated as, and a challenge
// exchange under way (NTLM and Negotiate authenticate the connection, not a request).
struct ConnectionState {
  uint64_t id = 0;
  std::string user;
  std::string scheme;
  std::unique_ptr<SecurityContext> security;
};

struct RouteEntry {
  std::string prefix;
  Route route;
  bool authenticate = false;
};

struct RequestState {
  std::string uri;
  bool http_1_0 = false;
  std::unique_ptr<Exchange> exchange;
  // An answer decided from the headers alone. libmicrohttpd closes the connection after an answer
  // queued before it has read the body, even an empty one, so it waits for the next call; NTLM
  // needs the connection to stay open across its 401.
  std::optional<Response> pending;
  std::optional<uint64_t> body_length;  // the Content-Length the client announced
  bool started = false;
  bool answered = false;
  HeaderList extra_headers;  // added to whatever the exchange answers (a final Negotiate token)
};

constexpr uint64_t kMaxDrainedBody = 1 << 20;

struct StreamState {
  BodyWriter writer;
};

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  std::string cert, key;
  std::vector<RouteEntry> routes;
  MHD_Daemon* daemon = nullptr;
  std::atomic<uint64_t> next_connection{1};

  const RouteEntry* find_route(std::string_view path) const {
    const RouteEntry* best = nullptr;
    for (const RouteEntry& r : routes)
      if (path.substr(0, r.prefix.size()) == r.prefix && (!best || r.prefix.size() > best->prefix.size())) best = &r;
    return best;
  }
};

std::string Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [k, v] : cookies)
    if (k == name) return v;
  return std::nullopt;
}

Response Response::text(unsigned status, std::string message) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  message += "\n";
  r.body.assign(message.begin(), message.end());
  return r;
}

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string base64_encode(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  size_t rest = data.size() - i;
  if (rest) {
    uint32_t v = uint32_t{data[i]} << 16 | (rest == 2 ? uint32_t{data[i + 1]} << 8 : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      int d;
      if (c == '=') {
        // Padding only in the last quantum's last one or two places.
        if (i + 4 != text.size() || j < 2) return std::nullopt;
        ++pad, d = 0;
      } else {
        if (pad) return std::nullopt;
        const char* p = c ? std::strchr(kAlphabet, c) : nullptr;
        if (!p) return std::nullopt;
        d = static_cast<int>(p - kAlphabet);
      }
      v = v << 6 | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<uint8_t>(v >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(v >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(v));
  }
  return out;
}

namespace {

MHD_Result collect(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<HeaderList*>(cls)->emplace_back(key ? key : "", value ? value : "");
  return MHD_YES;
}

ssize_t read_stream(void* cls, uint64_t, char* buf, size_t max) {
  auto* s = static_cast<StreamState*>(cls);
  try {
    size_t n = s->writer(reinterpret_cast<uint8_t*>(buf), max);
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : static_cast<ssize_t>(n);
  } catch (const std::exception& e) {
    std::cerr << "exmapi-server: http: response stream failed: " << e.what() << "\n";
    return MHD_CONTENT_READER_END_WITH_ERROR;
  }
}

void free_stream(void* cls) { delete static_cast<StreamState*>(cls); }

MHD_Result queue(MHD_Connection* connection, Response r, const HeaderList& extra, bool http_1_0) {
  MHD_Response* m;
  if (r.stream) {
    auto* s = new StreamState{std::move(r.stream)};
    m = MHD_create_response_from_callback(r.stream_length.value_or(MHD_SIZE_UNKNOWN), 64 * 1024, read_stream, s,
                                          free_stream);
    if (m == nullptr) delete s;
  } else {
    m = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
  }
  if (m == nullptr) return MHD_NO;
  // An HTTP/1.0 client that asks for keep-alive gets it (NTLM's legs share one connection), and a
  // body of unknown length is sent as is, not chunked.
  if (http_1_0) MHD_set_response_options(m, MHD_RF_HTTP_1_0_SERVER, MHD_RO_END);
  for (const auto& [k, v] : r.headers) MHD_add_response_header(m, k.c_str(), v.c_str());
  for (const auto& [k, v] : extra) MHD_add_response_header(m, k.c_str(), v.c_str());
  MHD_Result ok = MHD_queue_response(connection, r.status, m);
  MHD_destroy_response(m);
  return ok;
}

Response challenge(const std::string& why) {
  Response r = Response::text(401, "authentication required: " + why);
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"exmapi\"");
  r.headers.emplace_back("WWW-Authenticate", "NTLM");
  r.headers.emplace_back("WWW-Authenticate", "Negotiate");
  return r;
}

std::string strip_domain(const std::string& user) {
  auto slash = user.find('\\');
  return slash == std::string::npos ? user : user.substr(slash + 1);
}

// HTTP authentication of one request (RFC 7617 Basic, RFC 4559 NTLM/Negotiate). Returns the
// answer to send instead of serving the request, or nullopt when it may proceed as req.user.
std::optional<Response> authenticate(HttpServer::Impl& server, ConnectionState& conn, Request& req,
                                     HeaderList& extra_headers) {
  Authenticator* auth = server.options.authenticator;
  if (auth == nullptr) return Response::text(500, "this route needs authentication, and the server has no authenticator");
  std::string header = req.header("Authorization");
  if (header.empty()) {
    if (!conn.user.empty()) {
      req.user = conn.user;
      return std::nullopt;
    }
    return challenge("no credentials");
  }
  auto space = header.find(' ');
  std::string scheme = header.substr(0, space);
  std::string data;
  if (space != std::string::npos) {
    auto begin = header.find_first_not_of(' ', space);
    if (begin != std::string::npos) data = header.substr(begin);
  }
  std::optional<Bytes> token = base64_decode(data);
  if (!token) return challenge("the " + scheme + " credentials are not base64");
  if (iequals(scheme, "Basic")) {
    std::string text(token->begin(), token->end());
    auto colon = text.find(':');
    if (colon == std::string::npos) return challenge("Basic credentials without a colon");
    std::string user = strip_domain(text.substr(0, colon));
    std::optional<std::string> account = auth->check_password(user, text.substr(colon + 1));
    if (!account) {
      std::cerr << "exmapi-server: http: Basic logon of \"" << user << "\" refused: wrong user name or password\n";
      return challenge("wrong user name or password");
    }
    req.user = *account;
    return std::nullopt;
  }
  if (iequals(scheme, "NTLM") || iequals(scheme, "Negotiate")) {
    if (!conn.security || !iequals(conn.scheme, scheme)) {
      conn.security = auth->start(iequals(scheme, "NTLM") ? "NTLM" : "Negotiate");
      conn.scheme = scheme;
      conn.user.clear();
      if (!conn.security) return challenge(scheme + " is not offered");
    }
    SecurityContext::Step step = conn.security->step(*token);
    std::string reply = scheme + (step.reply.empty() ? "" : " " + base64_encode(step.reply));
    switch (step.outcome) {
      case SecurityContext::Outcome::more: {
        // No body: Samba's client reads only the headers of this answer before it sends the next
        // leg on the same connection, and body bytes would precede the next answer.
        Response r;
        r.status = 401;
        r.headers.emplace_back("WWW-Authenticate", reply);
        return r;
      }
      case SecurityContext::Outcome::done:
        conn.security.reset();
        conn.user = step.account;
        req.user = step.account;
        if (!step.reply.empty()) extra_headers.emplace_back("WWW-Authenticate", reply);
        return std::nullopt;
      case SecurityContext::Outcome::failed:
        conn.security.reset();
        std::cerr << "exmapi-server: http: " << scheme << " logon refused: " << step.error << "\n";
        return challenge(scheme + " authentication failed (wrong user name or password?)");
    }
  }
  return challenge("unsupported scheme " + scheme);
}

// libmicrohttpd's own messages, with our prefix. An RPC over HTTP IN channel always ends by its
// client closing it before its 1 GiB Content-Length is reached: that is no error worth a line.
void log_message(void*, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  if (std::strstr(text, "closed by remote side with incomplete request") != nullptr ||
      std::strstr(text, "disconnected when reading request") != nullptr)
    return;
  std::cerr << "exmapi-server: http: " << text << (text[0] && text[std::strlen(text) - 1] == '\n' ? "" : "\n");
}

void* log_uri(void*, const char* uri, MHD_Connection*) {
  auto* s = new RequestState;
  s->uri = uri ? uri : "";
  return s;
}

void notify_connection(void* cls, MHD_Connection*, void** socket_context, MHD_ConnectionNotificationCode code) {
  auto* server = static_cast<HttpServer::Impl*>(cls);
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    auto* c = new ConnectionState;
    c->id = server->next_connection++;
    *socket_context = c;
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
    delete static_cast<ConnectionState*>(*socket_context);
    *socket_context = nullptr;
  }
}

void request_completed(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
  auto* s = static_cast<RequestState*>(*con_cls);
  if (s == nullptr) return;
  if (s->exchange) {
    try {
      s->exchange->on_closed();
    } catch (const std::exception& e) {
      std::cerr << "exmapi-server: http: closing an exchange failed: " << e.what() << "\n";
    }
  }
  delete s;
  *con_cls = nullptr;
}

std::string peer_of(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr || info->client_addr->sa_family != AF_INET) return {};
  const auto* sin = reinterpret_cast<const sockaddr_in*>(info->client_addr);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(ntohs(sin->sin_port));
}

MHD_Result handle(void* cls, MHD_Connection* connection, const char* url, const char* method, const char* version,
                  const char* upload_data, size_t* upload_data_size, void** con_cls) {
  auto* server = static_cast<HttpServer::Impl*>(cls);
  auto* s = static_cast<RequestState*>(*con_cls);
  if (s == nullptr) return MHD_NO;
  try {
    if (!s->started) {
      s->started = true;
      s->http_1_0 = version && std::strcmp(version, MHD_HTTP_VERSION_1_0) == 0;
      const MHD_ConnectionInfo* ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
      auto* conn = ci ? static_cast<ConnectionState*>(ci->socket_context) : nullptr;
      if (conn == nullptr) return MHD_NO;
      Request req;
      req.method = method ? method : "";
      req.path = url ? url : "";
      auto q = s->uri.find('?');
      if (q != std::string::npos) req.query = s->uri.substr(q + 1);
      MHD_get_connection_values(connection, MHD_HEADER_KIND, collect, &req.headers);
      MHD_get_connection_values(connection, MHD_COOKIE_KIND, collect, &req.cookies);
      req.tls = !server->cert.empty();
      req.connection = conn->id;
      req.peer = peer_of(connection);
      std::string length = req.header("Content-Length");
      if (!length.empty()) {
        char* end = nullptr;
        unsigned long long n = std::strtoull(length.c_str(), &end, 10);
        if (*end == '\0') s->body_length = n;
      }
      const RouteEntry* route = server->find_route(req.path);
      if (route == nullptr) {
        s->pending = Response::text(404, "nothing is served at " + req.path);
        return MHD_YES;
      }
      if (route->authenticate) {
        if (std::optional<Response> refusal = authenticate(*server, *conn, req, s->extra_headers)) {
          s->pending = std::move(refusal);
          return MHD_YES;
        }
      }
      if (!s->pending) {
        s->exchange = route->route(req);
        if (!s->exchange) s->pending = Response::text(500, "the route refused the request");
      }
      // A refused request with a body: answer now and let the connection close, rather than read
      // what may be a gigabyte (an RPC over HTTP IN channel announces 1 GiB).
      if (s->pending && s->body_length.value_or(0) > 0) {
        s->answered = true;
        return queue(connection, std::move(*s->pending), {}, s->http_1_0);
      }
      return MHD_YES;
    }
    if (s->pending && !s->answered) {
      if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
      }
      s->answered = true;
      return queue(connection, std::move(*s->pending), s->extra_headers, s->http_1_0);
    }
    if (*upload_data_size != 0) {
      ByteView chunk(reinterpret_cast<const uint8_t*>(upload_data), *upload_data_size);
      *upload_data_size = 0;
      if (s->answered || !s->exchange) return MHD_YES;  // an early answer is queued: discard the rest
      if (std::optional<Response> early = s->exchange->on_body(chunk)) {
        // libmicrohttpd takes no answer while a body is coming in: a short body is read to its end
        // and answered then, a long one costs the connection.
        if (s->body_length.value_or(UINT64_MAX) > kMaxDrainedBody) return MHD_NO;
        s->pending = std::move(early);
      }
      return MHD_YES;
    }
    if (s->answered || !s->exchange) return MHD_YES;
    s->answered = true;
    return queue(connection, s->exchange->on_complete(), s->extra_headers, s->http_1_0);
  } catch (const std::exception& e) {
    std::cerr << "exmapi-server: http: " << (method ? method : "") << " " << s->uri << " failed: " << e.what() << "\n";
    if (s->answered) return MHD_NO;
    s->answered = true;
    return queue(connection, Response::text(500, e.what()), {}, s->http_1_0);
  }
}

}  // namespace

HttpServer::HttpServer(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.cert_file.empty() != impl_->options.key_file.empty())
    throw std::runtime_error("a TLS certificate and its key go together");
  if (!impl_->options.cert_file.empty()) {
    impl_->cert = read_file(impl_->options.cert_file, "certificate");
    impl_->key = read_file(impl_->options.key_file, "key");
  }
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::add_route(std::string prefix, Route route, bool authenticate) {
  impl_->routes.push_back({std::move(prefix), std::move(route), authenticate});
}

bool HttpServer::tls() const { return !impl_->cert.empty(); }

uint16_t HttpServer::start() {
  Impl& h = *impl_;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(h.options.port);
  if (inet_pton(AF_INET, h.options.address.c_str(), &sa.sin_addr) != 1)
    throw std::runtime_error(h.options.address + " is not an IPv4 address");
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                   MHD_USE_POLL | MHD_USE_ITC;
  if (tls()) {
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
      throw std::runtime_error("this libmicrohttpd has no TLS support");
    flags |= MHD_USE_TLS;
  }
  std::vector<MHD_OptionItem> opts{
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(log_message), nullptr},
      {MHD_OPTION_SOCK_ADDR, 0, &sa},
      {MHD_OPTION_URI_LOG_CALLBACK, reinterpret_cast<intptr_t>(log_uri), nullptr},
      {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(notify_connection), &h},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(request_completed), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, 0, nullptr},
  };
  if (tls()) {
    opts.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, h.cert.data()});
    opts.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, h.key.data()});
  }
  opts.push_back({MHD_OPTION_END, 0, nullptr});
  h.daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, handle, &h, MHD_OPTION_ARRAY, opts.data(), MHD_OPTION_END);
  if (h.daemon == nullptr)
    throw std::runtime_error("cannot serve HTTP on " + h.options.address + ":" + std::to_string(h.options.port) +
                             " (port in use, or a bad TLS certificate or key?)");
  const MHD_DaemonInfo* info = MHD_get_daemon_info(h.daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : h.options.port;
}

void HttpServer::stop() {
  if (impl_ && impl_->daemon) {
    MHD_stop_daemon(impl_->daemon);
    impl_->daemon = nullptr;
  }
}

}  // namespace exmapi::server::http
