#include "server/http/http_auth.hpp"

#include <stdexcept>

#include "server/rpc_auth.hpp"
#include "server/samba_auth_abi.hpp"

namespace exmapi::server::http {

namespace {

// One gensec server conversation; its talloc memory lives and dies on the loop thread.
class GensecContext final : public SecurityContext {
 public:
  GensecContext(RpcHost& host, const char* mechanism) : host_(host), mechanism_(mechanism) {}
  ~GensecContext() override {
    if (mem_ == nullptr) return;
    try {
      host_.run_on_loop([&] { talloc_free(mem_); });
    } catch (const std::exception&) {
      // The loop has ended: the process is exiting, and so does the memory.
    }
  }

  Step step(ByteView token) override {
    Step out;
    host_.run_on_loop([&] { out = step_on_loop(token); });
    return out;
  }

 private:
  Step step_on_loop(ByteView token) {
    Step out;
    server::Authenticator* auth = host_.authenticator();
    if (auth == nullptr) return out.error = "the server does not authenticate", out;
    if (mem_ == nullptr) {
      mem_ = talloc_new(nullptr);
      if (mem_ == nullptr) return out.error = "out of memory", out;
      NTSTATUS st = auth->start(mem_, &gensec_);
      if (NT_STATUS_IS_OK(st)) st = gensec_start_mech_by_name(gensec_, mechanism_);
      if (!NT_STATUS_IS_OK(st)) return out.error = std::string("cannot start ") + mechanism_ + ": " + nt_errstr(st), out;
    }
    TALLOC_CTX* tmp = talloc_new(mem_);
    if (tmp == nullptr) return out.error = "out of memory", out;
    DATA_BLOB in{const_cast<uint8_t*>(token.data()), token.size()};
    DATA_BLOB reply{};
    NTSTATUS st = gensec_update(gensec_, tmp, in, &reply);
    if (reply.length) out.reply.assign(reply.data, reply.data + reply.length);
    if (NT_STATUS_EQUAL(st, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
      out.outcome = Outcome::more;
    } else if (NT_STATUS_IS_OK(st)) {
      auth_session_info* session = nullptr;
      st = gensec_session_info(gensec_, tmp, &session);
      if (NT_STATUS_IS_OK(st) && session && session->info && session->info->account_name) {
        out.outcome = Outcome::done;
        out.account = session->info->account_name;
      } else {
        out.error = std::string("no session: ") + nt_errstr(st);
      }
    } else {
      out.error = nt_errstr(st);
    }
    talloc_free(tmp);
    return out;
  }

  RpcHost& host_;
  const char* mechanism_;
  TALLOC_CTX* mem_ = nullptr;
  gensec_security* gensec_ = nullptr;
};

// Compares without an early exit on the first differing byte.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

HostAuthenticator::HostAuthenticator(RpcHost& host) : host_(host) {
  if (host.authenticator() == nullptr) throw std::logic_error("HTTP authentication needs RpcHost::accept_authentication()");
}

std::optional<std::string> HostAuthenticator::check_password(const std::string& user, const std::string& password) {
  std::optional<std::string> account;
  host_.run_on_loop([&] {
    std::optional<StoredAccount> a = host_.account_lookup()(user);
    if (a && same_secret(password, a->password)) account = a->account;
  });
  return account;
}

std::unique_ptr<SecurityContext> HostAuthenticator::start(std::string_view scheme) {
  // RFC 4559: "Negotiate" is SPNEGO; "NTLM" is bare NTLMSSP, as IIS offers it.
  if (scheme == "NTLM") return std::make_unique<GensecContext>(host_, "ntlmssp");
  if (scheme == "Negotiate") return std::make_unique<GensecContext>(host_, "spnego");
  return nullptr;
}

}  // namespace exmapi::server::http
