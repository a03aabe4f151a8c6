// Helpers shared by the tests: the shared/ vectors, hex, running the CLI.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace exmapi::test {

inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("EXMAPI_SHARED_DIR")) return env;
  return EXMAPI_SHARED_DIR;
}

inline Bytes from_hex(std::string_view hex) {
  Bytes out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int hi = -1;
  for (char c : hex) {
    int v = nib(c);
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline std::string to_hex(ByteView b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) s += d[x >> 4], s += d[x & 15];
  return s;
}

inline Bytes read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + p.string());
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline nlohmann::json load_vector(const std::string& relative) {
  std::ifstream f(shared_dir() / "vectors" / relative);
  if (!f) throw std::runtime_error("missing vector " + relative);
  return nlohmann::json::parse(f);
}

// All vectors of one kind ("lz77", "rop_request", ...), as (relative path, json).
inline std::vector<std::pair<std::string, nlohmann::json>> vectors_of_kind(const std::string& kind) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  auto root = shared_dir() / "vectors";
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".json") continue;
    std::ifstream f(e.path());
    auto j = nlohmann::json::parse(f, nullptr, false);
    if (!j.is_discarded() && j.value("kind", "") == kind)
      out.emplace_back(std::filesystem::relative(e.path(), root).string(), j);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.first < b.first; });
  return out;
}

// Runs a shell command line, feeding `input` on stdin; returns exit code and captures stdout/stderr.
struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};
CommandResult run_command(const std::string& command_line, const std::string& input);
inline std::string cli_path() { return EXMAPI_CLI_PATH; }
// A 127.0.0.1 TCP port nobody listens on (bound, read back and closed again).
uint16_t unused_tcp_port();

}  // namespace exmapi::test
