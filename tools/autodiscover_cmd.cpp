// exmapi autodiscover EMAIL: finds the MAPI endpoints of a mailbox (MS-OXDSCLI) and prints them.
#include <exmapi/autodiscover.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli.hpp"

namespace exmapi::cli {
namespace {

constexpr const char* kUsage =
    "exmapi autodiscover EMAIL [OPTIONS]\n"
    "  --user NAME          account to authenticate as (default: EMAIL)\n"
    "  --password-file F    read the password from F's first line; otherwise EXMAPI_PASSWORD;\n"
    "                       without either, Autodiscover is asked anonymously\n"
    "  --auth METHOD        basic (default with a password), ntlm, negotiate, none\n"
    "  --ca-file F          trust the CA certificates in F (PEM) instead of the system's\n"
    "  --connect-to H:P:A:Q connect to A:Q whenever H:P is asked for (repeatable; TLS still checks H)\n"
    "  --dns-server A[:P]   ask this DNS server (IPv4) for the _autodiscover._tcp SRV record\n"
    "  --timeout MS         connect and request timeout in milliseconds\n"
    "  --no-srv, --no-json-v2, --prefer-internal\n"
    "  --json               print the result as JSON";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "exmapi autodiscover: %s (see 'exmapi autodiscover --help')\n", message.c_str());
  return kExitUsage;
}

struct OptionsDeleter {
  void operator()(exmapi_autodiscover_options* o) const { exmapi_autodiscover_options_free(o); }
};
struct ResultDeleter {
  void operator()(exmapi_autodiscover_result* r) const { exmapi_autodiscover_result_free(r); }
};

const char* transport_text(int t) {
  switch (t) {
    case EXMAPI_TRANSPORT_MAPI_HTTP: return "MAPI over HTTP";
    case EXMAPI_TRANSPORT_RPC_HTTP: return "RPC over HTTP";
    default: return "none";
  }
}

int run(const Args& args) {
  std::unique_ptr<exmapi_autodiscover_options, OptionsDeleter> options;
  {
    exmapi_autodiscover_options* raw = nullptr;
    if (exmapi_autodiscover_options_new(&raw) != EXMAPI_OK) return report_last_error("autodiscover");
    options.reset(raw);
  }
  auto set = [&](const char* name, const std::string& value) { return exmapi_autodiscover_options_set(options.get(), name, value.c_str()) == EXMAPI_OK; };
  std::string email, password_file;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto takes_value = a == "--user" || a == "--password-file" || a == "--auth" || a == "--ca-file" || a == "--connect-to" ||
                       a == "--dns-server" || a == "--timeout";
    if (takes_value) {
      if (i + 1 >= args.size()) return usage_error(a + " needs a value");
      const std::string& v = args[++i];
      bool ok = true;
      if (a == "--user") ok = set("user", v);
      else if (a == "--password-file") password_file = v;
      else if (a == "--auth") ok = set("auth", v);
      else if (a == "--ca-file") ok = set("ca_file", v);
      else if (a == "--connect-to") ok = set("connect_to", v);
      else if (a == "--dns-server") ok = set("dns_server", v);
      else ok = set("timeout_ms", v);
      if (!ok) return usage_error(exmapi_error_last()->message);
    } else if (a == "--no-srv") {
      set("srv", "0");
    } else if (a == "--no-json-v2") {
      set("json_v2", "0");
    } else if (a == "--prefer-internal") {
      set("prefer_internal", "1");
    } else if (a == "--json") {
      json = true;
    } else if (a == "--password") {
      return usage_error("passwords are not taken on the command line: use --password-file or EXMAPI_PASSWORD");
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option " + a);
    } else if (email.empty()) {
      email = a;
    } else {
      return usage_error("one EMAIL only");
    }
  }
  if (email.empty()) return usage_error("EMAIL is required");
  std::optional<std::string> password;
  if (!password_file.empty()) {
    std::ifstream in(password_file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      std::fprintf(stderr, "exmapi autodiscover: cannot read the password file %s\n", password_file.c_str());
      return kExitFailure;
    }
    password = line;
  } else if (const char* p = std::getenv("EXMAPI_PASSWORD"); p && *p) {
    password = p;
  }
  if (password) set("password", *password);

  exmapi_autodiscover_result* raw = nullptr;
  if (exmapi_autodiscover(&raw, email.c_str(), options.get()) != EXMAPI_OK) return report_last_error("autodiscover");
  std::unique_ptr<exmapi_autodiscover_result, ResultDeleter> r(raw);

  if (json) {
    nlohmann::ordered_json j;
    j["transport"] = r->transport == EXMAPI_TRANSPORT_MAPI_HTTP ? "mapi-http" : r->transport == EXMAPI_TRANSPORT_RPC_HTTP ? "rpc-http" : "none";
    j["email"] = r->email;
    j["autodiscover_url"] = r->autodiscover_url;
    j["display_name"] = r->display_name;
    j["legacy_dn"] = r->legacy_dn;
    j["deployment_id"] = r->deployment_id;
    j["mapi_http"] = {{"mailbox_url", r->mapi_mailbox_url}, {"addressbook_url", r->mapi_addressbook_url}};
    j["rpc_http"] = {{"proxy_server", r->rpc_proxy_server}, {"ssl", r->rpc_proxy_ssl != 0}, {"auth_package", r->rpc_auth_package},
                     {"server", r->rpc_server}, {"server_dn", r->rpc_server_dn}};
    std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    return write_stdout(text.data(), text.size()) ? kExitOk : kExitFailure;
  }
  std::printf("Email:             %s\n", r->email);
  std::printf("Display name:      %s\n", r->display_name);
  std::printf("Legacy DN:         %s\n", r->legacy_dn);
  std::printf("Autodiscover URL:  %s\n", r->autodiscover_url);
  std::printf("Use:               %s\n", transport_text(r->transport));
  if (*r->mapi_mailbox_url) {
    std::printf("MAPI/HTTP mailbox: %s\n", r->mapi_mailbox_url);
    std::printf("MAPI/HTTP address book: %s\n", r->mapi_addressbook_url);
  }
  if (*r->rpc_proxy_server) {
    std::printf("RPC/HTTP proxy:    %s (%s, %s)\n", r->rpc_proxy_server, r->rpc_proxy_ssl ? "SSL" : "no SSL",
                *r->rpc_auth_package ? r->rpc_auth_package : "auth unspecified");
  }
  if (*r->rpc_server) std::printf("RPC server:        %s\n", r->rpc_server);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

const Registrar registrar({"autodiscover", "find a mailbox's MAPI endpoints from its email address (MS-OXDSCLI)", run, kUsage});

}  // namespace
}  // namespace exmapi::cli
