#include "http/http_client.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>

#include "base/error.hpp"

extern char** environ;

namespace exmapi::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error(EXMAPI_E_INTERNAL, "libcurl initialisation failed");
  });
}

// The host part of a URL, for messages (no user info: a URL never carries a password here anyway).
std::string host_of(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

[[noreturn]] void throw_curl_error(CURLcode code, const std::string& url, const char* detail) {
  const std::string host = host_of(url);
  std::string why = detail && *detail ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      throw Error(EXMAPI_E_TRANSPORT, "cannot resolve the host name of " + host + " (DNS): " + why);
    case CURLE_COULDNT_CONNECT:
      throw Error(EXMAPI_E_TRANSPORT, "cannot connect to " + host + " (connection refused or unreachable): " + why);
    case CURLE_OPERATION_TIMEDOUT:
      throw Error(EXMAPI_E_TIMEOUT, "no answer in time from " + host + ": " + why);
    case CURLE_PEER_FAILED_VERIFICATION:
      throw Error(EXMAPI_E_TRANSPORT, "TLS certificate verification failed for " + host +
                                          " (untrusted or mismatched certificate; --ca-file names a trusted CA): " + why);
    case CURLE_SSL_CONNECT_ERROR:
      throw Error(EXMAPI_E_TRANSPORT, "TLS handshake with " + host + " failed: " + why);
    case CURLE_SSL_CACERT_BADFILE:
      throw Error(EXMAPI_E_IO, "cannot read the CA file: " + why);
    case CURLE_LOGIN_DENIED:
      throw Error(EXMAPI_E_AUTH, "authentication failed at " + host + " (wrong user name or password?)");
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      throw Error(EXMAPI_E_TRANSPORT, "the connection to " + host + " broke: " + why);
    case CURLE_OUT_OF_MEMORY:
      throw Error(EXMAPI_E_NO_MEMORY, "out of memory in libcurl");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "unusable URL for " + host + ": " + why);
    default:
      throw Error(EXMAPI_E_TRANSPORT, "HTTP request to " + host + " failed: " + why);
  }
}

}  // namespace

std::optional<AuthScheme> parse_auth_scheme(std::string_view name) {
  if (iequals(name, "none")) return AuthScheme::kNone;
  if (iequals(name, "basic")) return AuthScheme::kBasic;
  if (iequals(name, "ntlm")) return AuthScheme::kNtlm;
  if (iequals(name, "negotiate") || iequals(name, "kerberos")) return AuthScheme::kNegotiate;
  if (iequals(name, "bearer") || iequals(name, "oauth2")) return AuthScheme::kBearer;
  return std::nullopt;
}

const char* auth_scheme_name(AuthScheme scheme) {
  switch (scheme) {
    case AuthScheme::kNone: return "none";
    case AuthScheme::kBasic: return "basic";
    case AuthScheme::kNtlm: return "ntlm";
    case AuthScheme::kNegotiate: return "negotiate";
    case AuthScheme::kBearer: return "bearer";
  }
  return "?";
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return std::nullopt;
}

std::string run_token_command(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0].empty()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "the token command is empty");
  const std::string& name = argv[0];
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw Error(EXMAPI_E_IO, "cannot create a pipe for the token command: " + std::string(std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, name.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw Error(EXMAPI_E_AUTH, "cannot run the token command '" + name + "': " + std::strerror(rc));
  }
  std::string output;
  char buf[4096];
  for (;;) {
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n > 0) {
      // A token is short; a runaway program is not read forever.
      if (output.size() < (1u << 20)) output.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status))
    throw Error(EXMAPI_E_AUTH, "the token command '" + name + "' was killed by signal " + std::to_string(WTERMSIG(status)));
  if (WEXITSTATUS(status) != 0)
    throw Error(EXMAPI_E_AUTH, "the token command '" + name + "' failed with exit status " + std::to_string(WEXITSTATUS(status)));
  std::string token = output.substr(0, output.find('\n'));
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.empty()) throw Error(EXMAPI_E_AUTH, "the token command '" + name + "' printed no token");
  return token;
}

struct HttpClient::Impl {
  CURL* easy = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};
  // Per transfer:
  HttpResponse* response = nullptr;
  const ChunkSink* sink = nullptr;
  std::exception_ptr sink_error;

  ~Impl() {
    if (easy) curl_easy_cleanup(easy);
  }

  static size_t on_header(char* data, size_t size, size_t count, void* self) {
    auto* impl = static_cast<Impl*>(self);
    std::string_view line(data, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    // Each status line (an auth round trip, 100 Continue) starts a new header block.
    if (line.substr(0, 5) == "HTTP/") {
      impl->response->headers.clear();
    } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      impl->response->headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    return size * count;
  }

  static size_t on_body(char* data, size_t size, size_t count, void* self) {
    auto* impl = static_cast<Impl*>(self);
    size_t n = size * count;
    long status = 0;
    curl_easy_getinfo(impl->easy, CURLINFO_RESPONSE_CODE, &status);
    // The body of a 401 that curl answers itself is not the caller's business.
    if (status == 401) return n;
    if (!impl->sink) {
      impl->response->body.append(data, n);
      return n;
    }
    try {
      (*impl->sink)(std::string_view(data, n));
    } catch (...) {
      impl->sink_error = std::current_exception();
      return 0;  // aborts the transfer
    }
    return n;
  }
};

HttpClient::HttpClient(HttpOptions options, Credentials credentials)
    : impl_(std::make_unique<Impl>()), options_(std::move(options)), credentials_(std::move(credentials)) {
  global_init();
  impl_->easy = curl_easy_init();
  if (!impl_->easy) throw Error(EXMAPI_E_NO_MEMORY, "cannot create a libcurl handle");
  CURL* e = impl_->easy;
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, impl_->error_buffer);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  // "" enables the in-memory cookie engine without reading a file.
  curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, options_.total_timeout_ms);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, impl_.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, impl_.get());
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  apply_credentials();
}

HttpClient::~HttpClient() = default;

void HttpClient::apply_credentials() {
  CURL* e = impl_->easy;
  switch (credentials_.scheme) {
    case AuthScheme::kNone:
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_NONE);
      return;
    case AuthScheme::kBasic:
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      break;
    case AuthScheme::kNtlm:
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_NTLM);
      break;
    case AuthScheme::kNegotiate:
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_NEGOTIATE);
      break;
    case AuthScheme::kBearer: {
      std::string token = credentials_.bearer_token;
      if (token.empty()) {
        if (credentials_.bearer_token_command.empty())
          throw Error(EXMAPI_E_INVALID_ARGUMENT, "bearer authentication needs a token or a token command");
        token = run_token_command(credentials_.bearer_token_command);
        credentials_.bearer_token = token;
      }
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
      curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, credentials_.bearer_token.c_str());
      return;
    }
  }
  // An empty user name makes curl's GSS-API use the default credentials cache.
  curl_easy_setopt(e, CURLOPT_USERNAME, credentials_.user.c_str());
  curl_easy_setopt(e, CURLOPT_PASSWORD, credentials_.password.c_str());
}

HttpResponse HttpClient::send(const HttpRequest& request) { return perform(request, nullptr); }

HttpResponse HttpClient::send_streaming(const HttpRequest& request, const ChunkSink& sink) {
  return perform(request, &sink);
}

HttpResponse HttpClient::perform(const HttpRequest& request, const ChunkSink* sink) {
  CURL* e = impl_->easy;
  HttpResponse response;
  impl_->response = &response;
  impl_->sink = sink;
  impl_->sink_error = nullptr;
  impl_->error_buffer[0] = 0;

  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  if (request.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  struct SlistGuard {
    curl_slist* list = nullptr;
    ~SlistGuard() { curl_slist_free_all(list); }
  } headers;
  auto add = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.list, line.c_str());
    if (!next) throw Error(EXMAPI_E_NO_MEMORY, "out of memory building request headers");
    headers.list = next;
  };
  for (const auto& h : request.headers) {
    if (h.name.find_first_of(":\r\n") != std::string::npos || h.value.find_first_of("\r\n") != std::string::npos)
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "request header '" + h.name + "' has a forbidden character");
    add(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
  }
  // A 100-continue wait only delays a POST; MAPI/HTTP servers do not need it.
  add("Expect:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.list);

  struct SlistGuard connect_to;
  for (const auto& c : options_.connect_to) {
    curl_slist* next = curl_slist_append(connect_to.list, c.c_str());
    if (!next) throw Error(EXMAPI_E_NO_MEMORY, "out of memory");
    connect_to.list = next;
  }
  curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to.list);

  CURLcode rc = curl_easy_perform(e);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(e, CURLOPT_CONNECT_TO, nullptr);
  impl_->response = nullptr;
  impl_->sink = nullptr;

  long connects = 0;
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
  connections_opened_ += connects;

  if (impl_->sink_error) std::rethrow_exception(impl_->sink_error);
  if (rc != CURLE_OK) throw_curl_error(rc, request.url, impl_->error_buffer);

  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &response.status);
  char* effective = nullptr;
  curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &effective);
  response.url = effective ? effective : request.url;
  if (response.status == 401) {
    const std::string host = host_of(request.url);
    if (credentials_.scheme == AuthScheme::kNone)
      throw Error(EXMAPI_E_AUTH, host + " requires authentication and no credentials were given");
    if (credentials_.scheme == AuthScheme::kBearer)
      throw Error(EXMAPI_E_AUTH, "authentication failed at " + host + " (the bearer token was refused: expired or wrong audience?)");
    throw Error(EXMAPI_E_AUTH, "authentication failed at " + host + " (wrong user name or password?)");
  }
  return response;
}

std::vector<std::string> HttpClient::cookies() const {
  curl_slist* list = nullptr;
  std::vector<std::string> out;
  if (curl_easy_getinfo(impl_->easy, CURLINFO_COOKIELIST, &list) == CURLE_OK) {
    for (curl_slist* p = list; p; p = p->next) out.emplace_back(p->data);
    curl_slist_free_all(list);
  }
  return out;
}

}  // namespace exmapi::http
