// `exmapi ls`, `exmapi list FOLDER`, `exmapi show FOLDER ITEM`: a mailbox read through the C ABI session.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <termios.h>
#include <unistd.h>

#include "cli.hpp"

namespace exmapi::cli {
namespace {

using Json = nlohmann::ordered_json;

#define EXMAPI_CONNECT_USAGE \
    "  --server HOST        server name or address (or EXMAPI_SERVER)\n" \
    "  --port N             EMSMDB/NSPI TCP port; default: ask the endpoint mapper\n" \
    "  --user NAME          account (or EXMAPI_USER); --domain NAME, --realm REALM\n" \
    "  --auth METHOD        ntlm (default), negotiate, kerberos, anonymous\n" \
    "  --protection LEVEL   seal (default), sign, connect\n" \
    "  --target-host NAME   the server's host name in its Kerberos SPNs, when --server is an address\n" \
    "  --mailbox NAME       open another user's mailbox (resolved by the address book)\n" \
    "  --rpc-proxy HOST[:PORT]  RPC over HTTP(S) through this RPC proxy (ncacn_http); --port is\n" \
    "                       then the RPC server port behind it (default 6001 and 6004)\n" \
    "  --mapi-url URL       MAPI over HTTP to this mailbox endpoint (https://HOST/mapi/emsmdb/...);\n" \
    "                       --ab-url URL names the address book endpoint (default: /mapi/nspi/)\n" \
    "  --email ADDR         find the server by Autodiscover: MAPI over HTTP when offered, else\n" \
    "                       RPC over HTTP (instead of --server)\n" \
    "  --http-auth METHOD   how the HTTP server (proxy or MAPI/HTTP) is told who you are: ntlm\n" \
    "                       (default), basic, negotiate, or bearer (MAPI/HTTP: an OAuth2 token)\n" \
    "  --token-command CMD  bearer: run CMD (split at blanks, no shell); its first line is the token\n" \
    "  --ca-file F          PEM file of the CAs that vouch for the HTTPS server's certificate\n" \
    "  --no-tls             plain HTTP to the proxy instead of HTTPS\n" \
    "  --password-file F    read the password from F's first line; otherwise EXMAPI_PASSWORD,\n" \
    "                       otherwise a prompt on the terminal (never on the command line)\n" \
    "  --json               print the data as JSON\n"

struct Options {
  std::string server, user, domain, realm, mailbox, password_file, target_host;
  std::string rpc_proxy, ca_file, mapi_url, ab_url, email;
  std::vector<std::string> token_command;
  uint32_t http_auth = EXMAPI_HTTP_AUTH_NTLM;
  bool no_tls = false;
  uint16_t port = 0;
  uint32_t auth = EXMAPI_AUTH_NTLM, protection = EXMAPI_PROTECTION_SEAL;
  bool json = false;
  size_t limit = 0;
  size_t count = 0;             // watch: stop after this many events (0: no limit)
  std::optional<double> timeout;  // watch: stop after this many seconds
  std::vector<std::string> positional;
};

int usage_error(const char* command, const std::string& message) {
  std::fprintf(stderr, "exmapi %s: %s (see 'exmapi %s --help')\n", command, message.c_str(), command);
  return kExitUsage;
}

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::optional<std::string>(v) : std::nullopt;
}

// Parses the shared options; returns an exit code on a usage error.
std::optional<int> parse(const char* command, const Args& args, Options& o) {
  o.server = env("EXMAPI_SERVER").value_or("");
  o.user = env("EXMAPI_USER").value_or("");
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    auto need = [&](std::string& out) -> bool {
      auto v = value();
      if (!v) return false;
      out = *v;
      return true;
    };
    std::string v;
    if (a == "--server" || a == "--user" || a == "--domain" || a == "--realm" || a == "--mailbox" ||
        a == "--target-host" || a == "--password-file" || a == "--port" || a == "--auth" || a == "--protection" ||
        a == "--limit" || a == "--count" || a == "--timeout" || a == "--rpc-proxy" || a == "--http-auth" ||
        a == "--ca-file" || a == "--mapi-url" || a == "--ab-url" || a == "--email" || a == "--token-command") {
      if (!need(v)) return usage_error(command, a + " needs a value");
      if (a == "--server") o.server = v;
      else if (a == "--user") o.user = v;
      else if (a == "--domain") o.domain = v;
      else if (a == "--realm") o.realm = v;
      else if (a == "--mailbox") o.mailbox = v;
      else if (a == "--target-host") o.target_host = v;
      else if (a == "--password-file") o.password_file = v;
      else if (a == "--rpc-proxy") o.rpc_proxy = v;
      else if (a == "--mapi-url") o.mapi_url = v;
      else if (a == "--ab-url") o.ab_url = v;
      else if (a == "--email") o.email = v;
      else if (a == "--token-command") {
        o.token_command.clear();
        std::istringstream words(v);
        for (std::string w; words >> w;) o.token_command.push_back(w);
        if (o.token_command.empty()) return usage_error(command, "--token-command is empty");
      }
      else if (a == "--ca-file") o.ca_file = v;
      else if (a == "--http-auth") {
        if (v == "ntlm") o.http_auth = EXMAPI_HTTP_AUTH_NTLM;
        else if (v == "basic") o.http_auth = EXMAPI_HTTP_AUTH_BASIC;
        else if (v == "negotiate") o.http_auth = EXMAPI_HTTP_AUTH_NEGOTIATE;
        else if (v == "bearer") o.http_auth = EXMAPI_HTTP_AUTH_BEARER;
        else return usage_error(command, "--http-auth is ntlm, basic, negotiate or bearer, not '" + v + "'");
      }
      else if (a == "--timeout") {
        char* end = nullptr;
        double seconds = std::strtod(v.c_str(), &end);
        if (v.empty() || *end || !(seconds > 0) || seconds > 86400.0 * 365)
          return usage_error(command, "--timeout needs a positive number of seconds, not '" + v + "'");
        o.timeout = seconds;
      }
      else if (a == "--port" || a == "--limit" || a == "--count") {
        char* end = nullptr;
        unsigned long n = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end || (a == "--port" && (n == 0 || n > 65535)))
          return usage_error(command, a + " needs a number, not '" + v + "'");
        if (a == "--port") o.port = static_cast<uint16_t>(n);
        else if (a == "--limit") o.limit = n;
        else o.count = n;
      } else if (a == "--auth") {
        if (v == "ntlm") o.auth = EXMAPI_AUTH_NTLM;
        else if (v == "negotiate") o.auth = EXMAPI_AUTH_NEGOTIATE;
        else if (v == "kerberos") o.auth = EXMAPI_AUTH_KERBEROS;
        else if (v == "anonymous") o.auth = EXMAPI_AUTH_ANONYMOUS;
        else return usage_error(command, "--auth is ntlm, negotiate, kerberos or anonymous, not '" + v + "'");
      } else {
        if (v == "seal") o.protection = EXMAPI_PROTECTION_SEAL;
        else if (v == "sign") o.protection = EXMAPI_PROTECTION_SIGN;
        else if (v == "connect") o.protection = EXMAPI_PROTECTION_CONNECT;
        else return usage_error(command, "--protection is seal, sign or connect, not '" + v + "'");
      }
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--no-tls") {
      o.no_tls = true;
    } else if (a == "--password") {
      return usage_error(command, "passwords are not taken on the command line: use --password-file or EXMAPI_PASSWORD");
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error(command, "unknown option " + a);
    } else {
      o.positional.push_back(a);
    }
  }
  const bool over_http = !o.mapi_url.empty() || !o.email.empty();
  if (o.server.empty() && !over_http) return usage_error(command, "--server (or --mapi-url, or --email) is required");
  if (!o.mapi_url.empty() && !o.rpc_proxy.empty()) return usage_error(command, "--mapi-url and --rpc-proxy exclude each other");
  if (!o.ab_url.empty() && o.mapi_url.empty()) return usage_error(command, "--ab-url goes with --mapi-url");
  if (o.rpc_proxy.empty() && !over_http && (o.no_tls || !o.ca_file.empty()))
    return usage_error(command, "--no-tls and --ca-file go with --rpc-proxy, --mapi-url or --email");
  if (o.http_auth == EXMAPI_HTTP_AUTH_BEARER && !over_http)
    return usage_error(command, "--http-auth bearer goes with --mapi-url or --email");
  if (!o.token_command.empty() && o.http_auth != EXMAPI_HTTP_AUTH_BEARER)
    return usage_error(command, "--token-command goes with --http-auth bearer");
  if (o.user.empty() && !o.email.empty()) o.user = o.email;
  if (o.auth != EXMAPI_AUTH_ANONYMOUS && o.user.empty()) return usage_error(command, "--user is required");
  return std::nullopt;
}

// The password from a file, the environment or the terminal, in that order; none for anonymous.
std::optional<std::string> obtain_password(const char* command, const Options& o) {
  if (o.auth == EXMAPI_AUTH_ANONYMOUS) return std::string();
  if (o.http_auth == EXMAPI_HTTP_AUTH_BEARER) return std::string();  // the token proves who the user is
  if (!o.password_file.empty()) {
    std::ifstream in(o.password_file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      std::fprintf(stderr, "exmapi %s: cannot read the password file %s\n", command, o.password_file.c_str());
      return std::nullopt;
    }
    return line;
  }
  if (auto p = env("EXMAPI_PASSWORD")) return p;
  if (o.auth == EXMAPI_AUTH_KERBEROS) return std::string();  // the credential cache may hold a ticket
  if (!isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "exmapi %s: no password: use --password-file or EXMAPI_PASSWORD\n", command);
    return std::nullopt;
  }
  std::fprintf(stderr, "Password for %s: ", o.user.c_str());
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::fprintf(stderr, "\n");
  return line;
}

// Opens the session the options describe; prints the error and returns null on failure.
exmapi_session* open_session(const char* command, const Options& o) {
  std::optional<std::string> password = obtain_password(command, o);
  if (!password) return nullptr;
  exmapi_session_options so = EXMAPI_SESSION_OPTIONS_INIT;
  so.server = o.server.empty() ? nullptr : o.server.c_str();
  so.port = o.port;
  so.user = o.user.empty() ? nullptr : o.user.c_str();
  so.domain = o.domain.empty() ? nullptr : o.domain.c_str();
  so.password = password->c_str();
  so.realm = o.realm.empty() ? nullptr : o.realm.c_str();
  so.auth = o.auth;
  so.protection = o.protection;
  so.mailbox = o.mailbox.empty() ? nullptr : o.mailbox.c_str();
  so.target_host = o.target_host.empty() ? nullptr : o.target_host.c_str();
  so.rpc_proxy = o.rpc_proxy.empty() ? nullptr : o.rpc_proxy.c_str();
  so.http_auth = o.http_auth;
  so.http_flags = o.no_tls ? EXMAPI_HTTP_NO_TLS : 0;
  so.ca_file = o.ca_file.empty() ? nullptr : o.ca_file.c_str();
  so.mapi_url = o.mapi_url.empty() ? nullptr : o.mapi_url.c_str();
  so.address_book_url = o.ab_url.empty() ? nullptr : o.ab_url.c_str();
  so.email = o.email.empty() ? nullptr : o.email.c_str();
  std::vector<const char*> token_argv;
  for (const auto& w : o.token_command) token_argv.push_back(w.c_str());
  token_argv.push_back(nullptr);
  so.token_command = o.token_command.empty() ? nullptr : token_argv.data();
  exmapi_session* s = nullptr;
  if (exmapi_session_open(&s, &so) != EXMAPI_OK) {
    report_last_error(command);
    return nullptr;
  }
  return s;
}

struct SessionCloser {
  void operator()(exmapi_session* s) const { exmapi_session_close(s); }
};
using SessionPtr = std::unique_ptr<exmapi_session, SessionCloser>;

// Takes the JSON a session call produced; null (after printing the error) when the call failed.
std::optional<Json> take_json(const char* command, exmapi_status status, exmapi_buf& buf) {
  if (status != EXMAPI_OK) {
    report_last_error(command);
    return std::nullopt;
  }
  Json j = Json::parse(reinterpret_cast<const char*>(buf.data), reinterpret_cast<const char*>(buf.data) + buf.size);
  exmapi_buf_dispose(&buf);
  return j;
}

int print_json(const Json& j) {
  std::string text = j.dump(2) + "\n";
  return write_stdout(text.data(), text.size()) ? kExitOk : kExitFailure;
}

int run_ls(const Args& args) {
  Options o;
  if (auto rc = parse("ls", args, o)) return *rc;
  if (!o.positional.empty()) return usage_error("ls", "takes no arguments");
  SessionPtr s(open_session("ls", o));
  if (!s) return kExitFailure;
  exmapi_buf buf{};
  auto folders = take_json("ls", exmapi_session_folders(&buf, s.get()), buf);
  if (!folders) return kExitFailure;
  if (o.json) return print_json(*folders);
  std::string out;
  for (const Json& f : *folders) {
    int depth = f["depth"].get<int>();
    std::string line(static_cast<size_t>(depth > 0 ? depth - 1 : 0) * 2, ' ');
    line += f["name"].get<std::string>();
    char counts[64];
    std::snprintf(counts, sizeof counts, "  (%u items, %u unread)", f["items"].get<unsigned>(), f["unread"].get<unsigned>());
    out += line + counts + "\n";
  }
  return write_stdout(out.data(), out.size()) ? kExitOk : kExitFailure;
}

int run_list(const Args& args) {
  Options o;
  if (auto rc = parse("list", args, o)) return *rc;
  if (o.positional.size() != 1) return usage_error("list", "needs exactly one FOLDER");
  SessionPtr s(open_session("list", o));
  if (!s) return kExitFailure;
  exmapi_buf buf{};
  auto items = take_json("list", exmapi_session_items(&buf, s.get(), o.positional[0].c_str(), o.limit), buf);
  if (!items) return kExitFailure;
  if (o.json) return print_json(*items);
  std::string out;
  size_t n = 0;
  for (const Json& i : *items) {
    std::string when = i["delivery_time"].is_null() ? std::string("-") : i["delivery_time"].get<std::string>().substr(0, 16);
    char head[48];
    std::snprintf(head, sizeof head, "%3zu  %-16s  ", ++n, when.c_str());
    out += head + i["sender"].get<std::string>() + "  " + i["subject"].get<std::string>() +
           (i["has_attachments"].get<bool>() ? "  [attachments]" : "") + "\n";
  }
  return write_stdout(out.data(), out.size()) ? kExitOk : kExitFailure;
}

int run_show(const Args& args) {
  Options o;
  if (auto rc = parse("show", args, o)) return *rc;
  if (o.positional.size() != 2) return usage_error("show", "needs FOLDER and ITEM");
  SessionPtr s(open_session("show", o));
  if (!s) return kExitFailure;
  exmapi_buf buf{};
  auto item = take_json("show", exmapi_session_item(&buf, s.get(), o.positional[0].c_str(), o.positional[1].c_str()), buf);
  if (!item) return kExitFailure;
  if (o.json) return print_json(*item);
  std::string out;
  for (const Json& p : (*item)["properties"]) {
    std::string name = p["Tag"].get<std::string>();
    std::string value = p["Value"].is_string() ? p["Value"].get<std::string>() : p["Value"].dump();
    if (value.size() > 200) value = value.substr(0, 200) + "...";
    out += name + ": " + value + "\n";
  }
  return write_stdout(out.data(), out.size()) ? kExitOk : kExitFailure;
}

// One line per event: its type, then the folder and message ids and what else it carries.
std::string event_line(const Json& e) {
  std::string line = e["type"].get<std::string>();
  for (const char* key : {"folder", "message", "parent", "old_folder", "old_message", "old_parent"})
    if (e.contains(key)) line += std::string("  ") + key + "=" + e[key].get<std::string>();
  for (const char* key : {"total", "unread"})
    if (e.contains(key)) line += std::string("  ") + key + "=" + std::to_string(e[key].get<unsigned>());
  if (e.contains("subject")) line += "  subject=" + Json(e["subject"]).dump();
  return line + "\n";
}

int run_watch(const Args& args) {
  Options o;
  if (auto rc = parse("watch", args, o)) return *rc;
  if (o.positional.size() > 1) return usage_error("watch", "takes at most one FOLDER");
  SessionPtr s(open_session("watch", o));
  if (!s) return kExitFailure;
  const char* folder = o.positional.empty() ? nullptr : o.positional[0].c_str();
  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> deadline;
  if (o.timeout) deadline = clock::now() + std::chrono::milliseconds(static_cast<int64_t>(*o.timeout * 1000));
  size_t seen = 0;
  // Without --timeout, each wait is the server's longest (5 minutes), again and again.
  constexpr uint32_t kWaitMs = 300000;
  for (;;) {
    uint32_t wait_ms = kWaitMs;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now()).count();
      if (left <= 0) break;
      wait_ms = static_cast<uint32_t>(std::min<int64_t>(left, kWaitMs));
    }
    exmapi_buf buf{};
    auto events = take_json("watch", exmapi_session_watch(&buf, s.get(), folder, 0, wait_ms), buf);
    if (!events) return kExitFailure;
    for (const Json& e : *events) {
      std::string text = o.json ? e.dump() + "\n" : event_line(e);
      if (!write_stdout(text.data(), text.size())) return kExitFailure;
      if (o.count && ++seen >= o.count) return kExitOk;
    }
  }
  return kExitOk;
}

const Registrar ls_command({"ls", "print the mailbox's folder tree with item counts", run_ls,
                            "exmapi ls --server HOST --user NAME [options]\n" EXMAPI_CONNECT_USAGE});
const Registrar list_command({"list", "print the items of a folder (subject, sender, date)", run_list,
                              "exmapi list FOLDER --server HOST --user NAME [--limit N] [options]\n"
                              "  FOLDER is a path as 'exmapi ls' prints it (Inbox, Inbox/Projects) or an id\n" EXMAPI_CONNECT_USAGE});
const Registrar show_command({"show", "print one item's properties by name", run_show,
                              "exmapi show FOLDER ITEM --server HOST --user NAME [options]\n"
                              "  ITEM is a position in 'exmapi list FOLDER' (1, 2, ...) or an item id (0x...)\n" EXMAPI_CONNECT_USAGE});
const Registrar watch_command({"watch", "print the changes in a folder (new mail, created, moved, deleted...) as they happen", run_watch,
                               "exmapi watch [FOLDER] --server HOST --user NAME [--count N] [--timeout S] [options]\n"
                               "  FOLDER as for 'exmapi list'; none: the whole mailbox. One line per event (--json: one\n"
                               "  JSON object per line). Stops after N events or S seconds; otherwise runs until killed.\n"
                               EXMAPI_CONNECT_USAGE});

}  // namespace
}  // namespace exmapi::cli
