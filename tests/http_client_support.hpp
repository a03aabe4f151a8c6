// Test peers for the HTTP client and Autodiscover tests: the scriptable Python HTTP(S) server
// (tests/peers/http_test_server.py), a certificate made with the openssl CLI, and dnsmasq serving
// SRV records. Each runs on 127.0.0.1 on a free port and is stopped when its object goes away.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "autodiscover/discover.hpp"
#include "http/http_client.hpp"
#include "test_support.hpp"

namespace exmapi::test {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/exmapi-http-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

// A child process whose first stdout line the caller may read; killed (TERM, then KILL) at the end.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      // A test that crashes must not leave its server behind holding ctest's output pipe open
      // (ctest then waits for the pipe until its timeout).
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    out_ = fdopen(out[0], "r");
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status;
      bool gone = false;
      for (int i = 0; i < 40 && !gone; ++i) {
        gone = waitpid(pid_, &status, WNOHANG) == pid_;
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
      if (!gone) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    if (out_) fclose(out_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  std::string read_line() {
    char buf[256];
    if (!fgets(buf, sizeof buf, out_)) throw std::runtime_error("the child process printed nothing (did it start?)");
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

// The Python test server with the given routes (see the script's docstring).
class PeerHttpServer {
 public:
  explicit PeerHttpServer(const nlohmann::json& routes, const std::string& cert = "", const std::string& key = "") {
    config_ = dir_.file("config.json");
    write_text(config_, nlohmann::json{{"routes", routes}}.dump());
    std::vector<std::string> argv{"/usr/bin/python3", std::string(EXMAPI_SOURCE_DIR) + "/tests/peers/http_test_server.py", config_};
    if (!cert.empty()) argv.insert(argv.end(), {"--cert", cert, "--key", key});
    process_ = std::make_unique<ChildProcess>(argv);
    port_ = static_cast<uint16_t>(std::stoi(process_->read_line()));
  }
  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  // {"connections": N, "requests": [...]}; the stats request itself opens one more connection.
  nlohmann::json stats(const std::string& scheme = "http", const std::string& ca_file = "") const {
    http::HttpOptions o;
    o.ca_file = ca_file;
    http::HttpClient c(o, {});
    http::HttpRequest r;
    r.url = scheme + "://127.0.0.1:" + std::to_string(port_) + "/__stats";
    auto j = nlohmann::json::parse(c.send(r).body);
    j["connections"] = j["connections"].get<int>() - 1;
    return j;
  }

 private:
  TempDir dir_;
  std::string config_;
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
};

// A self-signed certificate (its own CA) for the names the Autodiscover tests use.
struct TestCertificate {
  TempDir dir;
  std::string cert = dir.file("cert.pem");
  std::string key = dir.file("key.pem");
  TestCertificate() {
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=example.test -keyout " + key + " -out " + cert +
                      " -addext subjectAltName=DNS:example.test,DNS:autodiscover.example.test,DNS:mail.example.test,"
                      "DNS:other.test,DNS:autodiscover.other.test,IP:127.0.0.1 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make a test certificate");
  }
};

// dnsmasq answering only from its command line (no resolv.conf, no hosts file) on 127.0.0.1.
class Dnsmasq {
 public:
  explicit Dnsmasq(const std::vector<std::string>& records) {
    port_ = unused_tcp_port();  // dnsmasq binds both UDP and TCP on it
    std::vector<std::string> argv{"/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                                  "--no-hosts", "--listen-address=127.0.0.1", "--bind-interfaces",
                                  "--port=" + std::to_string(port_), "--pid-file=" + dir_.file("pid"),
                                  "--log-facility=" + dir_.file("log"),
                                  "--srv-host=_ready._tcp.example.test,ready.example.test,1", "--local=/example.test/"};
    if (getuid() == 0) argv.push_back("--user=root");
    argv.insert(argv.end(), records.begin(), records.end());
    process_ = std::make_unique<ChildProcess>(argv);
    // dnsmasq prints nothing when ready: wait until it answers.
    for (int i = 0; i < 100; ++i) {
      try {
        if (!autodiscover::lookup_srv("_ready._tcp.example.test", address(), 1000).empty()) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("dnsmasq did not start (see " + dir_.file("log") + ")");
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace exmapi::test
