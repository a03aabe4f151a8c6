#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include "test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace exmapi::test {

CommandResult run_command(const std::string& command_line, const std::string& input) {
  char in_path[] = "/tmp/exmapi-test-in-XXXXXX";
  char out_path[] = "/tmp/exmapi-test-out-XXXXXX";
  char err_path[] = "/tmp/exmapi-test-err-XXXXXX";
  int fi = mkstemp(in_path), fo = mkstemp(out_path), fe = mkstemp(err_path);
  if (fi < 0 || fo < 0 || fe < 0) throw std::runtime_error("mkstemp failed");
  if (write(fi, input.data(), input.size()) != static_cast<ssize_t>(input.size()))
    throw std::runtime_error("write failed");
  close(fi), close(fo), close(fe);
  std::string cmd = command_line + " <" + in_path + " >" + out_path + " 2>" + err_path;
  int status = std::system(cmd.c_str());
  auto slurp = [](const char* p) {
    Bytes b = read_file(p);
    return std::string(b.begin(), b.end());
  };
  CommandResult r{WIFEXITED(status) ? WEXITSTATUS(status) : 128, slurp(out_path), slurp(err_path)};
  unlink(in_path), unlink(out_path), unlink(err_path);
  return r;
}

uint16_t unused_tcp_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) throw std::runtime_error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(s);
    throw std::runtime_error("bind to 127.0.0.1:0 failed");
  }
  close(s);
  return ntohs(a.sin_port);
}

}  // namespace exmapi::test
