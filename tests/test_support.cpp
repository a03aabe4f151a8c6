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

}  // namespace exmapi::test
