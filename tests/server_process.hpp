// Starts exmapi-server on a fresh seeded store in a temporary directory, on a free port, and stops
// it (SIGTERM, then SIGKILL) when the object goes away, whatever the test's outcome.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace exmapi::test {

inline std::string server_path() { return EXMAPI_SERVER_PATH; }

class ServerProcess {
 public:
  // A fresh seeded store; `extra` are further server options (--require-auth, --keytab ...).
  explicit ServerProcess(const std::vector<std::string>& extra = {}) {
    char tmpl[] = "/tmp/exmapi-server-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    store_ = (dir_ / "store.sqlite").string();
    std::vector<std::string> args{"--store", store_, "--seed", "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const auto& a : extra) expect_http_ = expect_http_ || a == "--http-port";
    start(args);
  }
  // Serves an existing store (no --seed); the caller owns the file.
  explicit ServerProcess(const std::string& existing_store, const std::vector<std::string>& extra = {})
      : store_(existing_store) {
    std::vector<std::string> args{"--store", store_, "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const auto& a : extra) expect_http_ = expect_http_ || a == "--http-port";
    start(args);
  }
  ~ServerProcess() {
    stop();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  uint16_t epm_port() const { return epm_port_; }  // 0 without --epm
  // With --http-port among the options: the HTTP(S) port it printed, and whether it serves HTTPS.
  uint16_t http_port() const { return http_port_; }
  bool https() const { return https_; }
  const std::string& store() const { return store_; }
  pid_t pid() const { return pid_; }
  // Stops the server; returns its exit status (as waitpid reports it).
  int stop() {
    if (pid_ <= 0) return status_;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, &status_, WNOHANG) == pid_) return pid_ = -1, status_;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
    return status_;
  }

 private:
  void start(const std::vector<std::string>& args) {
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
      std::vector<char*> argv;
      std::string exe = server_path();
      argv.push_back(exe.data());
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(exe.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    // The first line says where it listens (after the endpoint mapper's, with --epm); a server that
    // dies first closes the pipe.
    auto read_line = [&] {
      std::string line;
      char c;
      while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
      return line;
    };
    std::string line;
    const std::string epm_prefix = "endpoint mapper on 127.0.0.1:";
    for (bool more = true; more;) {
      line = read_line();
      more = line.rfind(epm_prefix, 0) == 0;
      if (more) epm_port_ = static_cast<uint16_t>(std::stoi(line.substr(epm_prefix.size())));
    }
    std::string http_line = expect_http_ ? read_line() : std::string();
    close(out[0]);
    const std::string prefix = "listening on 127.0.0.1:";
    if (line.rfind(prefix, 0) != 0) {
      stop();
      throw std::runtime_error("exmapi-server did not start (first line: \"" + line + "\")");
    }
    port_ = static_cast<uint16_t>(std::stoi(line.substr(prefix.size())));
    if (expect_http_) {
      auto colon = http_line.rfind(':');
      if (http_line.find("listening on 127.0.0.1:") == std::string::npos || colon == std::string::npos) {
        stop();
        throw std::runtime_error("exmapi-server did not serve HTTP (second line: \"" + http_line + "\")");
      }
      https_ = http_line.rfind("https ", 0) == 0;
      http_port_ = static_cast<uint16_t>(std::stoi(http_line.substr(colon + 1)));
    }
  }

  std::filesystem::path dir_;
  std::string store_;
  pid_t pid_ = -1;
  int status_ = 0;
  uint16_t port_ = 0;
  uint16_t epm_port_ = 0;
  bool expect_http_ = false;
  uint16_t http_port_ = 0;
  bool https_ = false;
};

}  // namespace exmapi::test
